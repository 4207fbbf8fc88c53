import Synchronization
import Testing
@testable import MedicEngine

/// The watch loop's recheck timer, on a clock the test moves: it wakes the loop once the deadline in
/// force has passed, whichever deadlines came before, and never for a deadline withdrawn.
@Suite("Recheck timer")
struct RecheckTimerTests {
    final class TestClock: Sendable {
        let time = Mutex(1000.0)
        func now() -> Double { time.withLock { $0 } }
        func set(_ value: Double) { time.withLock { $0 = value } }
    }

    @Test("a deadline moved later many times, then earlier, fires once when the clock passes the one in force")
    func movedDeadlines() async throws {
        let clock = TestClock()
        let (inputs, continuation) = AsyncStream.makeStream(of: WatchSession.Input.self)
        let timer = RecheckTimer(continuation: continuation) { clock.now() }
        for step in 0..<500 { timer.schedule(at: 1600 + Double(step)) }
        timer.schedule(at: 1010)
        var iterator = inputs.makeAsyncIterator()
        clock.set(1005)
        // Not due yet: the next input is the one the test sends after two of the timer's sleeps.
        try await Task.sleep(for: .seconds(2 * RecheckTimer.longestSleep + 0.2))
        continuation.yield(.closed)
        guard case .closed = await iterator.next() else {
            Issue.record("the timer woke the loop before its deadline")
            return
        }
        clock.set(1011)
        guard case .recheck = await iterator.next() else {
            Issue.record("no recheck once the deadline passed")
            return
        }
        timer.cancel()
    }

    @Test("a withdrawn deadline never wakes the loop")
    func withdrawn() async throws {
        let clock = TestClock()
        let (inputs, continuation) = AsyncStream.makeStream(of: WatchSession.Input.self)
        let timer = RecheckTimer(continuation: continuation) { clock.now() }
        timer.schedule(at: 1001)
        timer.schedule(at: nil)
        clock.set(2000)
        var iterator = inputs.makeAsyncIterator()
        try await Task.sleep(for: .seconds(2 * RecheckTimer.longestSleep + 0.2))
        continuation.yield(.closed)
        guard case .closed = await iterator.next() else {
            Issue.record("a withdrawn deadline woke the loop")
            return
        }
        timer.cancel()
    }
}
