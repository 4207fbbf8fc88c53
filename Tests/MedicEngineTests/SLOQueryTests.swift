import MedicCore
import Testing
@testable import MedicEngine

@Suite("SLO query")
struct SLOQueryTests {
    func at(_ times: [Double]) -> [StateObservation] {
        times.map { StateObservation(time: $0, activeState: "active", subState: "running", health: .healthy) }
    }

    @Test("a unit's timeline is cut to its own window, keeping the state in effect at the window's start")
    func trimming() {
        let timeline = at([100, 200, 300])
        #expect(SLOQuery.trimmed(timeline, from: 250).map(\.time) == [200, 300])
        #expect(SLOQuery.trimmed(timeline, from: 200).map(\.time) == [100, 200, 300])
        #expect(SLOQuery.trimmed(timeline, from: 50).map(\.time) == [100, 200, 300])
        #expect(SLOQuery.trimmed(timeline, from: 400).map(\.time) == [300])
        #expect(SLOQuery.trimmed([], from: 400).isEmpty)
    }
}
