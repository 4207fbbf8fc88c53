import MedicCore
import Testing

@Suite("Failures that begin together")
struct FailureBurstsTests {
    let limits = CorrectionLimits(massFailureCount: 3, massFailureShare: 0.4, massFailureSettle: 2)

    @Test("a new failure waits for its burst to settle; five failing together are held whole, none acted on first")
    func burstHeldWhole() {
        var bursts = FailureBursts(limits: limits)
        let names = (1...5).map { "u\($0).service" }
        _ = bursts.observe(names[0], failingSince: 100)
        // The first failure cannot be decided on while others may still be arriving.
        #expect(bursts.verdict(for: names[0], watched: 8, now: 100.1).0 == .settling(until: 102))
        for (i, name) in names.dropFirst().enumerated() { _ = bursts.observe(name, failingSince: 100.2 + Double(i) * 0.1) }
        let (first, change) = bursts.verdict(for: names[0], watched: 8, now: 102.1)
        guard case .held(let reason) = first, case .started(let hold)? = change else { Issue.record("expected a hold to start: \(first) \(String(describing: change))"); return }
        #expect(hold.units == Set(names))
        #expect(reason.hasPrefix("5 of 8 watched units began failing together (u1.service, u2.service, u3.service, u4.service, u5.service)"))
        for name in names.dropFirst() {
            let (verdict, again) = bursts.verdict(for: name, watched: 8, now: 103)
            #expect(verdict == .held(reason: reason))
            #expect(again == nil, "the hold starts once")
        }
    }

    @Test("probes that lose a shared backend see it up to an interval apart: their failures settle over that window and are held together")
    func probeFailuresSettleOverTheirSpread() {
        var bursts = FailureBursts(limits: limits)
        // Probed every 10 s with a 2 s timeout: the three cross their thresholds 4 and 9 s apart.
        _ = bursts.observe("web-1.service", failingSince: 100, settle: 12)
        #expect(bursts.verdict(for: "web-1.service", watched: 10, now: 103).0 == .settling(until: 112), "not decided on after the plain 2 s")
        _ = bursts.observe("web-2.service", failingSince: 104, settle: 12)
        _ = bursts.observe("web-3.service", failingSince: 109, settle: 12)
        guard case .held = bursts.verdict(for: "web-1.service", watched: 10, now: 112).0 else { Issue.record("expected the three to be held"); return }
        // The same failures seen by systemd at those moments are three independent ones.
        var plain = FailureBursts(limits: limits)
        for (name, since) in [("a.service", 100.0), ("b.service", 104), ("c.service", 109)] { _ = plain.observe(name, failingSince: since) }
        #expect(plain.verdict(for: "a.service", watched: 10, now: 112).0 == .free)
    }

    @Test("units failed for days before Medic started are not a burst, and a later independent failure is free")
    func standingFailuresAreNotABurst() {
        var bursts = FailureBursts(limits: limits)
        _ = bursts.observe("a.service", failingSince: 1_000)
        _ = bursts.observe("b.service", failingSince: 50_000)
        _ = bursts.observe("c.service", failingSince: 90_000)
        for name in ["a.service", "b.service", "c.service"] { #expect(bursts.verdict(for: name, watched: 20, now: 100_000).0 == .free) }
        _ = bursts.observe("d.service", failingSince: 100_010)
        #expect(bursts.verdict(for: "d.service", watched: 20, now: 100_013).0 == .free)
    }

    @Test("a held burst ends when fewer than the threshold are still failing; the rest are then free")
    func holdEnds() {
        var bursts = FailureBursts(limits: limits)
        for (i, name) in ["a", "b", "c", "d"].enumerated() { _ = bursts.observe(name, failingSince: 10 + Double(i) * 0.01) }
        _ = bursts.verdict(for: "a", watched: 10, now: 20)
        #expect(bursts.hold != nil)
        #expect(bursts.observe("a", failingSince: nil) == nil, "3 of 4 still failing: still held")
        guard case .ended(let hold, let recovered)? = bursts.observe("b", failingSince: nil) else { Issue.record("the hold should end"); return }
        #expect(hold.units == ["a", "b", "c", "d"])
        #expect(recovered == ["a", "b"])
        #expect(bursts.verdict(for: "c", watched: 10, now: 30).0 == .free)
    }

    @Test("the share rule holds two of four; one recovering ends it")
    func shareRule() {
        var bursts = FailureBursts(limits: limits)
        _ = bursts.observe("a", failingSince: 10)
        _ = bursts.observe("b", failingSince: 10.5)
        guard case .held = bursts.verdict(for: "a", watched: 4, now: 13).0 else { Issue.record("2 of 4 is 50 %"); return }
        #expect(bursts.verdict(for: "a", watched: 10, now: 13).0 != .free)
        guard case .ended? = bursts.observe("b", failingSince: nil) else { Issue.record("should end"); return }
        #expect(bursts.verdict(for: "a", watched: 4, now: 14).0 == .free)
    }

    @Test("one failure alone is never a mass failure, even of one watched unit")
    func single() {
        var bursts = FailureBursts(limits: limits)
        _ = bursts.observe("a", failingSince: 10)
        #expect(bursts.verdict(for: "a", watched: 1, now: 13).0 == .free)
        #expect(bursts.verdict(for: "b", watched: 1, now: 13).0 == .free, "not failing: free")
    }
}
