import MedicCore
import Testing

@Suite("Fair order of failing units")
struct FairOrderTests {
    func candidate(_ name: String, since: Double?, last: Double? = nil) -> FairOrder.Candidate {
        FairOrder.Candidate(name: name, failingSince: since, lastCorrection: last)
    }

    @Test("the oldest unattended failure comes first, whatever the names")
    func oldestFirst() {
        let order = FairOrder.order([candidate("a.service", since: 30), candidate("z.service", since: 10), candidate("m.service", since: 20)])
        #expect(order.map(\.name) == ["z.service", "m.service", "a.service"])
    }

    @Test("a unit already corrected since its failure began waits behind every unattended one, and attended units take turns")
    func attendedLast() {
        let order = FairOrder.order([
            candidate("a.service", since: 10, last: 50),
            candidate("b.service", since: 40),
            candidate("c.service", since: 5, last: 20),
            candidate("d.service", since: 60, last: 30),
        ])
        // d failed again after its correction at 30: unattended again, and b's failure is older.
        #expect(order.map(\.name) == ["b.service", "d.service", "c.service", "a.service"])
    }

    @Test("unknown failure times go last among the unattended; equal keys fall back to the name")
    func ties() {
        let order = FairOrder.order([candidate("b.service", since: nil), candidate("c.service", since: 7), candidate("a.service", since: nil)])
        #expect(order.map(\.name) == ["c.service", "a.service", "b.service"])
    }
}
