import MedicCore
import Testing

@Suite("Which unit details to read next")
struct DetailReadQueueTests {
    @Test("at most `limit` out at once; urgent units first, then the rest in the order they came")
    func order() {
        var queue = DetailReadQueue(limit: 3)
        for path in ["a", "b", "c", "d"] { queue.add(path, urgent: false) }
        queue.add("x", urgent: true)
        queue.add("y", urgent: true)
        #expect(queue.next() == ["x", "y", "a"])
        #expect(queue.next() == [])  // three are out
        queue.finished("y")
        #expect(queue.next() == ["b"])
        queue.finished("x"); queue.finished("a"); queue.finished("b")
        #expect(queue.next() == ["c", "d"])
        #expect(!queue.isEmpty)
        queue.finished("c"); queue.finished("d")
        #expect(queue.isEmpty)
        #expect(queue.next() == [])
    }

    @Test("a unit that changed while queued moves forward, once; one already out is not sent twice")
    func promotion() {
        var queue = DetailReadQueue(limit: 1)
        for path in ["a", "b", "c"] { queue.add(path, urgent: false) }
        #expect(queue.next() == ["a"])
        queue.add("c", urgent: true)
        queue.add("c", urgent: true)
        queue.add("a", urgent: true)  // out already: its reply is the newer state anyway
        queue.add("c", urgent: false)  // no demotion
        #expect(queue.count == 3)
        queue.finished("a")
        #expect(queue.next() == ["c"])
        queue.finished("c")
        #expect(queue.next() == ["b"])
        queue.finished("b")
        #expect(queue.next() == [])
        #expect(queue.isEmpty)
    }

    @Test("a failed read is retried after the others, and given up after the maximum attempts")
    func failures() {
        var queue = DetailReadQueue(limit: 1, maximumAttempts: 2)
        queue.add("a", urgent: false)
        queue.add("b", urgent: false)
        #expect(queue.next() == ["a"])
        let retried = queue.failed("a")
        #expect(retried)
        #expect(queue.next() == ["b"])
        queue.finished("b")
        #expect(queue.next() == ["a"])
        let kept = queue.failed("a")
        #expect(!kept)
        #expect(queue.isEmpty)
        // Given up until it changes again: then it is read afresh, with its attempts counted anew.
        queue.add("a", urgent: true)
        #expect(queue.next() == ["a"])
        let retriedAfresh = queue.failed("a")
        #expect(retriedAfresh)
    }

    @Test("a removed unit is neither sent nor waited for")
    func removal() {
        var queue = DetailReadQueue(limit: 2)
        for path in ["a", "b", "c"] { queue.add(path, urgent: false) }
        queue.remove("b")
        #expect(queue.next() == ["a", "c"])
        queue.remove("a")
        queue.finished("c")
        #expect(queue.isEmpty)
    }

    @Test("refilled after draining, it keeps no stale entries", arguments: 1...4)
    func refill(limit: Int) {
        var queue = DetailReadQueue(limit: limit)
        var sent: [String] = []
        for round in 0..<3 {
            for index in 0..<5 { queue.add("u\(round)-\(index)", urgent: index == 4) }
            while !queue.isEmpty {
                let batch = queue.next()
                #expect(!batch.isEmpty && batch.count <= limit)
                for path in batch { queue.finished(path); sent.append(path) }
            }
        }
        #expect(sent.count == 15)
        #expect(Set(sent).count == 15)
        #expect(sent.first == "u0-4")
    }
}
