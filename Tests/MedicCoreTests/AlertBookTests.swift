import MedicCore
import Testing

@Suite("Alert book: what Alertmanager is sent and when")
struct AlertBookTests {
    func condition(_ unit: String, _ reason: String = "burning") -> AlertCondition {
        AlertCondition(labels: ["alertname": "MedicErrorBudgetBurn", "unit": unit], annotations: ["description": reason])
    }

    @Test("a new condition is sent at once, active until a few re-send intervals ahead")
    func newAlert() throws {
        var book = AlertBook(resendEvery: 60)
        let sent = book.update([condition("a.service")], now: 1000)
        let alert = try #require(sent.first)
        #expect(sent.count == 1)
        #expect(alert.startsAt == 1000)
        #expect(alert.endsAt == 1180)
        #expect(alert.labels["unit"] == "a.service")
    }

    @Test("an active alert is sent again only once the interval passed, keeping its start")
    func resend() throws {
        var book = AlertBook(resendEvery: 60)
        _ = book.update([condition("a.service")], now: 1000)
        #expect(book.update([condition("a.service", "still burning")], now: 1030).isEmpty)
        let again = try #require(book.update([condition("a.service", "still burning")], now: 1060).first)
        #expect(again.startsAt == 1000)
        #expect(again.endsAt == 1240)
        #expect(again.annotations["description"] == "still burning")
    }

    @Test("a condition that no longer holds is sent once with endsAt now, then forgotten")
    func resolve() throws {
        var book = AlertBook(resendEvery: 60)
        _ = book.update([condition("a.service"), condition("b.service")], now: 1000)
        let ended = book.update([condition("b.service")], now: 1010)
        #expect(ended.count == 1)
        #expect(ended.first?.labels["unit"] == "a.service")
        #expect(ended.first?.endsAt == 1010)
        #expect(ended.first?.startsAt == 1000)
        #expect(book.update([condition("b.service")], now: 1020).isEmpty)
        #expect(book.activeAlerts.map { $0.labels["unit"] } == ["b.service"])
    }

    @Test("a condition that comes back after it ended starts a new alert")
    func comesBack() throws {
        var book = AlertBook(resendEvery: 60)
        _ = book.update([condition("a.service")], now: 1000)
        _ = book.update([], now: 1010)
        let again = try #require(book.update([condition("a.service")], now: 1020).first)
        #expect(again.startsAt == 1020)
    }

    @Test("the same labels twice in one evaluation are one alert")
    func duplicates() {
        var book = AlertBook(resendEvery: 60)
        #expect(book.update([condition("a.service"), condition("a.service", "other")], now: 0).count == 1)
    }
}

@Suite("Alert delivery: backoff, bounded queue, one line per outage")
struct AlertDeliveryTests {
    func alert(_ unit: String, endsAt: Double = 100) -> Alert {
        Alert(labels: ["alertname": "X", "unit": unit], annotations: [:], startsAt: 0, endsAt: endsAt)
    }

    @Test("queued alerts are due at once and gone once delivered")
    func deliver() {
        var delivery = AlertDelivery()
        delivery.enqueue([alert("a"), alert("b")])
        let due = delivery.due(now: 0)
        #expect(due.count == 2)
        #expect(delivery.delivered(due) == false)
        #expect(delivery.due(now: 0).isEmpty)
    }

    @Test("failures back off 2, 4, 8 … up to the maximum; only the first failure and the recovery are news")
    func backoff() {
        var delivery = AlertDelivery(maximumBackoff: 10)
        delivery.enqueue([alert("a")])
        #expect(delivery.failed(now: 0) == true)
        #expect(delivery.due(now: 1.9).isEmpty)
        #expect(delivery.due(now: 2).count == 1)
        #expect(delivery.failed(now: 2) == false)
        #expect(delivery.due(now: 5.9).isEmpty)
        #expect(delivery.due(now: 6).count == 1)
        #expect(delivery.failed(now: 6) == false)  // 8 s
        #expect(delivery.failed(now: 14) == false)  // capped at 10 s
        #expect(delivery.due(now: 23.9).isEmpty)
        let due = delivery.due(now: 24)
        #expect(delivery.delivered(due) == true)
        #expect(delivery.failing == false)
    }

    @Test("a newer version of an alert replaces the waiting one; one posted meanwhile stays waiting")
    func newestWins() {
        var delivery = AlertDelivery()
        delivery.enqueue([alert("a", endsAt: 100)])
        let posted = delivery.due(now: 0)
        delivery.enqueue([alert("a", endsAt: 50)])
        _ = delivery.delivered(posted)
        #expect(delivery.waitingCount == 1)
        #expect(delivery.due(now: 0).first?.endsAt == 50)
    }
}
