import Foundation
import MedicConfig
import MedicTestSupport
import Testing

/// A bounded, seeded fuzz run of the configuration and playbook readers, through the same file
/// loaders the daemon uses: no case may crash the process or take more than 5 s. `medic-bench
/// --fuzz` runs the same cases and reports time and memory per case.
@Suite("Fuzzing medic.yaml and playbooks")
struct FuzzTests {
    /// The shipped playbooks, found from this source file's place in the tree.
    static var shipped: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return ConfigFuzzer.shippedPlaybooks(in: root.appendingPathComponent("Playbooks").path)
    }

    @Test("5,000 mutated, truncated, binary and deeply nested files: no crash, none over 5 s, every refusal located")
    func fuzz() throws {
        let directory = NSTemporaryDirectory() + "medic-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var fuzzer = ConfigFuzzer(seed: 20_261_129, extraSeeds: Self.shipped)
        var slowest = (seconds: 0.0, kind: "")
        for _ in 0..<5000 {
            let fuzzCase = fuzzer.next()
            let seconds = try FuzzRun.run(fuzzCase, in: directory)
            if seconds > slowest.seconds { slowest = (seconds, fuzzCase.kind) }
            #expect(seconds < 5, "case \(fuzzCase.index) (\(fuzzCase.kind)) took \(seconds) s")
        }
        #expect(slowest.seconds < 5, "slowest: \(slowest)")
    }
}

/// Runs one case through both loaders on a thread of its own, bounded by a 5 s wait.
enum FuzzRun {
    struct Hang: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ fuzzCase: ConfigFuzzer.Case, in directory: String) throws -> Double {
        let config = directory + "/medic.yaml"
        let playbooks = directory + "/playbooks"
        try? FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try Data(fuzzCase.bytes).write(to: URL(fileURLWithPath: config))
        try Data(fuzzCase.bytes).write(to: URL(fileURLWithPath: playbooks + "/case.yaml"))
        let done = DispatchSemaphore(value: 0)
        let started = Date()
        let thread = Thread {
            // At the lowest priority (on Linux, who = 0 is the calling thread): the fuzz run is pure CPU,
            // and the integration tests running beside it start managers with deadlines of their own.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            let outcome = ConfigLoader.check(explicitPath: config, isRoot: false, environment: [:], trustedOwner: nil)
            // Every refusal names a place in the file: at least line 1, column 1.
            precondition(outcome.configuration != nil || outcome.problems.allSatisfy { $0.line >= 1 && $0.column >= 1 && $0.file == config })
            let set = PlaybookLoader.load(paths: [playbooks], trustedOwner: nil)
            precondition(set.isValid || !set.problems.isEmpty)
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        guard done.wait(timeout: .now() + 30) == .success else {
            throw Hang(description: "case \(fuzzCase.index) (\(fuzzCase.kind)) did not finish within 30 s")
        }
        return Date().timeIntervalSince(started)
    }
}
