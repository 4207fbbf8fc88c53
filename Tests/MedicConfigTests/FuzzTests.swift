import Foundation
import MedicConfig
import MedicTestSupport
import Synchronization
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

    /// What the fuzz thread has done so far, read by the test while it waits.
    struct Progress {
        var current: (index: Int, kind: String, started: Date)?
        var slow: [String] = []
        var finished = false
        var failure: String?
    }

    @Test("5,000 mutated, truncated, binary and deeply nested files: no crash, none over 5 s, every refusal located")
    func fuzz() async throws {
        let directory = NSTemporaryDirectory() + "medic-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/playbooks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let progress = Mutex(Progress())
        let seeds = Self.shipped
        // The cases run on a thread of their own, at the lowest priority (on Linux, who = 0 is the
        // calling thread): the run is pure CPU, and neither the cooperative pool's few threads nor
        // the managers that integration tests start beside it may be starved by it.
        let thread = Thread {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            var fuzzer = ConfigFuzzer(seed: 20_261_129, extraSeeds: seeds)
            for _ in 0..<5000 {
                let fuzzCase = fuzzer.next()
                let started = Date()
                progress.withLock { $0.current = (fuzzCase.index, fuzzCase.kind, started) }
                if let failure = FuzzRun.run(fuzzCase, in: directory) {
                    progress.withLock { $0.failure = failure }
                    break
                }
                let seconds = Date().timeIntervalSince(started)
                if seconds >= 5 { progress.withLock { $0.slow.append("case \(fuzzCase.index) (\(fuzzCase.kind)) took \(seconds) s") } }
            }
            progress.withLock { $0.finished = true }
        }
        thread.stackSize = 8 << 20
        thread.start()
        while true {
            let now = progress.withLock { $0 }
            if now.finished { break }
            if let current = now.current, Date().timeIntervalSince(current.started) > 30 {
                Issue.record("case \(current.index) (\(current.kind)) has not finished after 30 s")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let done = progress.withLock { $0 }
        #expect(done.failure == nil, "\(done.failure ?? "")")
        #expect(done.slow.isEmpty, "\(done.slow)")
    }
}

/// Runs one case through both loaders, as medic run reads its files.
enum FuzzRun {
    /// nil when the loaders answered as they must: a configuration or located problems.
    static func run(_ fuzzCase: ConfigFuzzer.Case, in directory: String) -> String? {
        let config = directory + "/medic.yaml"
        let playbooks = directory + "/playbooks"
        do {
            try Data(fuzzCase.bytes).write(to: URL(fileURLWithPath: config))
            try Data(fuzzCase.bytes).write(to: URL(fileURLWithPath: playbooks + "/case.yaml"))
        } catch {
            return "cannot write case \(fuzzCase.index): \(error)"
        }
        let outcome = ConfigLoader.check(explicitPath: config, isRoot: false, environment: [:], trustedOwner: nil)
        // Every refusal names a place in the file: at least line 1, column 1.
        guard outcome.configuration != nil || (!outcome.problems.isEmpty && outcome.problems.allSatisfy({ $0.line >= 1 && $0.column >= 1 && $0.file == config })) else {
            return "case \(fuzzCase.index) (\(fuzzCase.kind)): no configuration and no located problem: \(outcome.problems)"
        }
        let set = PlaybookLoader.load(paths: [playbooks], trustedOwner: nil)
        guard set.isValid || !set.problems.isEmpty, set.problems.allSatisfy({ $0.line >= 1 && $0.column >= 1 }) else {
            return "case \(fuzzCase.index) (\(fuzzCase.kind)): playbook problems without a place: \(set.problems)"
        }
        return nil
    }
}
