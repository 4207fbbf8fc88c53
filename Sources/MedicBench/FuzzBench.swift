import Foundation
import MedicConfig
import MedicTestSupport

/// The seeded fuzz cases of the test suite (`ConfigFuzzer`), run through the daemon's file loaders
/// one at a time with the peak memory of each (the kernel's high-water mark, reset before every
/// case) and its time. A crash ends the run; a case over 5 s is counted as a hang.
struct FuzzBench {
    var cases: Int
    var seed: UInt64
    var playbookDirectory: String

    struct Result: Encodable {
        var cases: Int
        var seed: UInt64
        var hangsOver5s: Int
        var slowestSeconds: Double
        var slowestKind: String
        var p99Seconds: Double
        var peakMiB: Double
        var peakKind: String
        var refused: Int
        var accepted: Int
        /// Seconds spent per kind of case, for seeing where a run's time goes.
        var secondsByKind: [String: Double] = [:]
    }

    func run() throws -> Result {
        let directory = NSTemporaryDirectory() + "medic-fuzz-\(UUID().uuidString)"
        let playbooks = directory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var fuzzer = ConfigFuzzer(seed: seed, extraSeeds: ConfigFuzzer.shippedPlaybooks(in: playbookDirectory))
        var times: [Double] = []
        var result = Result(cases: cases, seed: seed, hangsOver5s: 0, slowestSeconds: 0, slowestKind: "", p99Seconds: 0, peakMiB: 0, peakKind: "", refused: 0, accepted: 0)
        for _ in 0..<cases {
            let fuzzCase = fuzzer.next()
            try Data(fuzzCase.bytes).write(to: URL(fileURLWithPath: directory + "/medic.yaml"))
            try Data(fuzzCase.bytes).write(to: URL(fileURLWithPath: playbooks + "/case.yaml"))
            resetPeak()
            let started = Date()
            let outcome = ConfigLoader.check(explicitPath: directory + "/medic.yaml", isRoot: false, environment: [:], trustedOwner: nil)
            let set = PlaybookLoader.load(paths: [playbooks], trustedOwner: nil)
            let seconds = Date().timeIntervalSince(started)
            let peak = peakMiB()
            times.append(seconds)
            result.secondsByKind[fuzzCase.kind, default: 0] += seconds
            if seconds > 5 { result.hangsOver5s += 1 }
            if seconds > result.slowestSeconds { (result.slowestSeconds, result.slowestKind) = (seconds, fuzzCase.kind) }
            if peak > result.peakMiB { (result.peakMiB, result.peakKind) = (peak, fuzzCase.kind) }
            result.refused += (outcome.problems.isEmpty ? 0 : 1) + (set.isValid ? 0 : 1)
            result.accepted += (outcome.problems.isEmpty ? 1 : 0) + (set.isValid ? 1 : 0)
        }
        times.sort()
        result.p99Seconds = times[min(times.count - 1, Int(Double(times.count) * 0.99))]
        return result
    }

    /// Resets the process's peak resident set (VmHWM) to what it holds now.
    private func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    private func peakMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib / 1024
    }
}
