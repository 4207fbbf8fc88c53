import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// Learning from corrections and reviewing them, on a sandboxed systemd with its own journald: two
/// playbooks match one failure, one never helps; Medic learns to prefer the other, and history,
/// stats and explain show why.
@Suite("Learning and review on a real systemd")
struct ReviewTests {
    static let useless = """
        name: more-memory
        priority: 50
        trigger: failure
        steps:
          - set-property: {name: MemoryMax, value: 256M}
          - restart
        verify: {healthy-for: 1s, within: 2s}
        rollback: automatic
        guard: {cooldown: 1s, max-attempts: 10}
        """

    static func fix(flag: String) -> String {
        """
        name: restore-config
        priority: 10
        trigger: failure
        steps:
          - run: {argv: [/usr/bin/touch, \(flag)], undo: [/bin/rm, -f, \(flag)]}
          - restart
        verify: {healthy-for: 1s, within: 10s}
        guard: {cooldown: 1s, max-attempts: 10}
        """
    }

    func json(_ result: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], "\(result.standardOutput)\(result.standardError)")
    }

    @Test("after a rolled-back attempt Medic prefers the playbook that works; history, stats and explain show it")
    func learnsAndReviews() throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let name = uniqueUnit("learner")
        let flag = sandbox.runtimeDirectory + "/\(name).conf"
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) && exec sleep infinity; echo \"error: cannot open \(flag)\"; exit 3'\n"])
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try Self.useless.write(toFile: playbooks + "/memory.yaml", atomically: true, encoding: .utf8)
        try Self.fix(flag: flag).write(toFile: playbooks + "/config.yaml", atomically: true, encoding: .utf8)
        let state = ["--state-dir", sandbox.runtimeDirectory + "/state"]
        let bus = ["--bus-address", sandbox.busAddress]
        let journal = ["--journal-directory", sandbox.journalDirectory]

        /// Breaks the unit and waits, boundedly, until journald has this start's error line. Should
        /// a start's output be lost on a loaded machine, the unit is started (and fails) again.
        /// The starts of the earlier rounds (the test's and the playbooks') can reach systemd's start
        /// limit, which would refuse this start without a word: `reset-failed` clears it first.
        func breakUnit() throws {
            func errorLines() throws -> Int {
                try MedicBinary.run(["logs", "-n", "1000", "--directory", sandbox.journalDirectory, name]).standardOutput
                    .components(separatedBy: "\n").filter { $0.contains("error: cannot open") }.count
            }
            let before = try errorLines()
            _ = try sandbox.systemctl("stop", name)
            try? FileManager.default.removeItem(atPath: flag)
            var starts: [String] = []
            for _ in 0..<3 {
                _ = try sandbox.systemctl("reset-failed", name)
                let start = try sandbox.systemctl("start", name)
                starts.append("status \(start.status) \(start.standardError)")
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline {
                    if try errorLines() > before { return }
                    usleep(50_000)
                }
            }
            let status = try sandbox.systemctl("status", name)
            Issue.record("journald never had the unit's error line; starts: \(starts); \(status.standardOutput)")
        }
        func heal() throws -> CommandResult {
            try MedicBinary.run(["heal"] + bus + state + journal + ["--playbooks", playbooks, name], in: sandbox)
        }

        try breakUnit()
        let first = try heal()
        #expect(first.status == 3, "\(first.standardOutput)\(first.standardError)")
        #expect(first.standardOutput.contains("plan: more-memory (priority 50)"), "declared priority first while nothing is learned")
        #expect(first.standardOutput.contains("outcome: rolled-back"))
        #expect(first.standardOutput.contains("failure signature: exit-code:status=3#"))

        for round in 2...3 {
            try breakUnit()
            let next = try heal()
            #expect(next.status == 0, "round \(round): \(next.standardOutput)\(next.standardError)")
            #expect(next.standardOutput.contains("plan: restore-config (priority 10)"), "round \(round): \(next.standardOutput)")
            #expect(next.standardOutput.contains("outcome: recovered"))
        }

        // Stats: per playbook and signature, why restore-config is preferred.
        let stats = try json(MedicBinary.run(["stats", "--json"] + state))
        let rows = try #require(stats["statistics"] as? [[String: Any]])
        let byPlaybook = Dictionary(rows.map { ($0["playbook"] as? String ?? "", $0) }) { first, _ in first }
        #expect(rows.count == 2, "one row per playbook, all on one failure signature: \(rows)")
        #expect(byPlaybook["more-memory"]?["attempts"] as? Int == 1)
        #expect(byPlaybook["more-memory"]?["successes"] as? Int == 0)
        #expect(byPlaybook["more-memory"]?["rollbacks"] as? Int == 1)
        #expect(byPlaybook["restore-config"]?["attempts"] as? Int == 2)
        #expect(byPlaybook["restore-config"]?["successes"] as? Int == 2)
        #expect((byPlaybook["restore-config"]?["recoveryP50"] as? Double ?? -1) >= 0)
        #expect(Set(rows.compactMap { $0["signature"] as? String }).count == 1, "the same failure each time: \(rows)")
        let table = try MedicBinary.run(["stats"] + state).standardOutput
        #expect(table.contains("PLAYBOOK") && table.contains("restore-config") && table.contains("in use"), "\(table)")

        // History: newest first, filters, and the rolled-back attempt in full.
        let history = try json(MedicBinary.run(["history", "--json"] + state))
        let corrections = try #require(history["corrections"] as? [[String: Any]])
        #expect(corrections.map { $0["outcome"] as? String } == ["recovered", "recovered", "rolled-back"])
        #expect(corrections.last?["trigger"] as? String == "manual (medic heal)")
        let listed = try MedicBinary.run(["history", "--outcome", "rolled-back"] + state).standardOutput
        #expect(listed.contains("more-memory") && !listed.contains("restore-config"), "\(listed)")
        let rolledBack = try #require(corrections.last?["id"] as? Int)
        let shown = try MedicBinary.run(["history", "show", "\(rolledBack)"] + state)
        #expect(shown.status == 0)
        let text = shown.standardOutput
        #expect(text.contains("correction #\(rolledBack) of \(name): rolled-back"), "\(text)")
        #expect(text.contains("set-property: done") && text.contains("restart: done"), "\(text)")
        #expect(text.contains("rollback:\n") && text.contains("restore MemoryMax: undone"), "\(text)")
        #expect(text.contains("error: cannot open \(flag)"), "the unit's journal lines: \(text)")
        let document = try json(MedicBinary.run(["history", "show", "--json", "\(rolledBack)"] + state))
        #expect(document["rolledBack"] as? Bool == true)
        #expect((document["journal"] as? [String])?.contains { $0.contains("error: cannot open") } == true)

        // Explain, with the unit broken once more: restore-config first, and what systemd does.
        try breakUnit()
        // restore-config's short cooldown from the last round may still run (the planner then names
        // the next playbook): ask until it is over, boundedly.
        var explanation = ""
        let deadline = Date().addingTimeInterval(15)
        repeat {
            explanation = try MedicBinary.run(["explain"] + bus + state + journal + ["--playbooks", playbooks, name], in: sandbox).standardOutput
            if explanation.contains("decision: would act: restore-config") { break }
            usleep(200_000)
        } while Date() < deadline
        #expect(explanation.contains("1. restore-config (priority 10, trigger failure: met)"), "\(explanation)")
        #expect(explanation.contains("2. more-memory (priority 50, trigger failure: met)"), "\(explanation)")
        #expect(explanation.contains("learned: 2 of 2 recovered for this failure"), "\(explanation)")
        #expect(explanation.contains("Restart=no: systemd does not restart it"), "\(explanation)")
        #expect(explanation.contains("decision: would act: restore-config"), "\(explanation)")
        let explainJSON = try json(MedicBinary.run(["explain", "--json"] + bus + state + journal + ["--playbooks", playbooks, name], in: sandbox))
        #expect((explainJSON["playbooks"] as? [[String: Any]])?.map { $0["name"] as? String } == ["restore-config", "more-memory"])

        // A reset names a playbook something was learned of; a typo is refused, naming the known ones.
        let typo = try MedicBinary.run(["stats", "--reset", "restore-confg"] + state)
        #expect(typo.status == 1)
        #expect(typo.standardError.contains("no playbook named 'restore-confg'") && typo.standardError.contains("known: more-memory, restore-config"), "\(typo.standardError)")
        let reset = try MedicBinary.run(["stats", "--reset", "more-memory"] + state)
        #expect(reset.status == 0, "\(reset.standardError)")
        let afterReset = try json(MedicBinary.run(["stats", "--json"] + state))
        #expect((afterReset["statistics"] as? [[String: Any]])?.map { $0["playbook"] as? String } == ["restore-config"], "more-memory's attempts no longer count")
    }
}
