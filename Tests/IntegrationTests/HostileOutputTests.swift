import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// A service controls its description and its output; neither may take over the terminal of the
/// operator who reviews it. Every command's bytes are checked, human-readable and JSON.
@Suite("Terminal-safe output")
struct HostileOutputTests {
    /// Any control character but newline and tab, DEL, a C1 control, or a replacement character
    /// (where invalid UTF-8 was printed), with its position.
    static func unsafe(_ text: String) -> String? {
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let v = scalar.value
            if (v < 0x20 && v != 0x0A && v != 0x09) || v == 0x7F || (0x80...0x9F).contains(v) || v == 0xFFFD {
                return "U+\(String(v, radix: 16)) at \(offset)"
            }
        }
        return nil
    }

    @Test("status, watch, logs, history, history show, explain, heal, slo and stats escape what a unit wrote")
    func everyCommand() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let name = uniqueUnit("hostile")
        let script = sandbox.runtimeDirectory + "/hostile.sh"
        // Window title, clear screen, carriage return, backspace, a C1 CSI, DEL and a byte that is not UTF-8.
        try #"printf '\033]0;pwned\007\033[2J\rcleared\bX \302\233red\177 \377end\n'; echo 'error: \033[31mfailed'; exit 3"#
            .write(toFile: script, atomically: true, encoding: .utf8)
        try sandbox.install(units: [name: "[Unit]\nDescription=evil\u{1B}[31m desc\u{07}\u{9B}2J\n[Service]\nExecStart=/bin/sh \(script)\n"])
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\(name)]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try "name: restart-it\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 1s, within: 2s}\n".write(toFile: playbooks + "/r.yaml", atomically: true, encoding: .utf8)
        let bus = ["--bus-address", sandbox.busAddress]
        let state = ["--state-dir", sandbox.runtimeDirectory + "/state"]
        let journal = ["--journal-directory", sandbox.journalDirectory]

        let watch = try ChildProcess.spawn([MedicBinary.path, "watch"] + bus + [name], environment: sandbox.environment, standardOutput: .pipe, standardError: .pipe)
        let watched = LineReader(fd: watch.standardOutput)
        let watchErrors = LineReader(fd: watch.standardError)
        #expect(await eventually(30) { watchErrors.all.contains { $0.contains("watching") } })
        // On a loaded machine journald now and then loses a short-lived unit's output: the unit runs
        // again (it fails the same way) until its output is in the journal, three tries at most.
        var logged = false
        for _ in 0..<3 where !logged {
            _ = try sandbox.systemctl("start", name)
            #expect(try await eventually(10) { try show("ActiveState", name, in: sandbox) == "failed" })
            logged = try await eventually(15) {
                try MedicBinary.run(["logs", "--directory", sandbox.journalDirectory, name]).standardOutput.contains("pwned")
            }
        }
        #expect(logged, "the unit's output never reached the journal")

        var outputs: [(command: String, standardOutput: String, standardError: String)] = []
        func run(_ arguments: [String]) throws {
            let result = try MedicBinary.run(arguments, in: sandbox)
            outputs.append((arguments.joined(separator: " "), result.standardOutput, result.standardError))
        }
        try run(["heal"] + bus + state + journal + ["--playbooks", playbooks, name])
        try run(["heal", "--dry-run"] + bus + state + journal + ["--playbooks", playbooks, name])
        try run(["status"] + bus + state + [name])
        try run(["status", "--json"] + bus + state + [name])
        try run(["logs", "--directory", sandbox.journalDirectory, name])
        try run(["history"] + state)
        try run(["history", "--json"] + state)
        try run(["history", "show", "1"] + state)
        try run(["history", "show", "--json", "1"] + state)
        try run(["explain"] + bus + state + journal + ["--playbooks", playbooks, name])
        try run(["explain", "--json"] + bus + state + journal + ["--playbooks", playbooks, name])
        try run(["slo", "--config", config] + state)
        try run(["slo", "--json", "--config", config] + state)
        try run(["stats"] + state)
        watch.signal(SIGINT)
        _ = watch.wait()
        outputs.append(("watch", watched.all.joined(separator: "\n"), watchErrors.all.joined(separator: "\n")))

        for result in outputs {
            let command = result.command
            #expect(Self.unsafe(result.standardOutput) == nil, "\(command) stdout: \(Self.unsafe(result.standardOutput) ?? "")\n\(result.standardOutput)")
            #expect(Self.unsafe(result.standardError) == nil, "\(command) stderr: \(Self.unsafe(result.standardError) ?? "")\n\(result.standardError)")
            if command.contains("--json") {
                #expect((try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) != nil, "\(command): \(result.standardOutput)")
            }
        }
        // What was escaped is still there to read.
        let logs = try #require(outputs.first { $0.command.hasPrefix("logs") }?.standardOutput)
        #expect(logs.contains(#"\x1b]0;pwned\x07\x1b[2J\x0dcleared\x08X \u{9b}red\x7f \xffend"#), "\(logs)")
        let shown = try #require(outputs.first { $0.command == "history show 1 " + state.joined(separator: " ") }?.standardOutput)
        #expect(shown.contains(#"\x1b]0;pwned"#), "\(shown)")
        let shownJSON = try #require(outputs.first { $0.command.hasPrefix("history show --json") }?.standardOutput)
        #expect(shownJSON.contains(#"\u001b]0;pwned"#), "\(shownJSON)")
    }
}
