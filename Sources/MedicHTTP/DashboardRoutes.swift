import Foundation
import Hummingbird
import MedicCore
import MedicReports
import MedicStore

/// The dashboard's pages, its assets, its JSON API (`/api/v1/...`, the CLI's `--json` documents)
/// and its live event stream, on a Hummingbird router. GET only.
enum DashboardRoutes {
    static func add<Context: RequestContext>(to router: Router<Context>, dashboard: Dashboard) {
        let page: @Sendable (String, Bool) -> HTMLPage = { title, live in HTMLPage(title: title, host: dashboard.host, delivery: .served(live: live ? "/api/v1/events" : nil)) }

        router.get("/") { request, _ -> Response in
            let query = request.uri.queryParameters
            let filter: BoardPage.Filter
            switch boardFilter(health: query["health"].map(String.init), unit: query["unit"].map(String.init)) {
            case .success(let f): filter = f
            case .failure(let problem): return text(.badRequest, problem.message)
            }
            let document = await dashboard.status()
            let board = BoardPage(document: document, filter: filter)
            return html(page("Units", true).render(board.body(interactive: true), refresh: true))
        }
        router.get("/units/{name}") { _, context -> Response in
            let name = decoded(context.parameters.get("name") ?? "")
            guard let unit = try await dashboard.unitPage(name) else { return text(.notFound, "\(name) is not watched by this medic run") }
            return html(page(name, true).render(unit.body()))
        }
        router.get("/corrections") { request, _ -> Response in
            let filter: CorrectionFilter
            switch historyFilter(request) {
            case .success(let f): filter = f
            case .failure(let problem): return text(.badRequest, problem.message)
            }
            let corrections = try await dashboard.store.corrections(filter)
            return html(page("Corrections", false).render(CorrectionsPage.list(corrections, filter: filter)))
        }
        router.get("/corrections/{id}") { _, context -> Response in
            guard let id = correctionID(context.parameters.get("id")), let (correction, steps) = try await dashboard.correction(id) else {
                return text(.notFound, "no such correction")
            }
            return html(page("Correction #\(id)", false).render(CorrectionsPage.detail(correction, steps: steps) { "/units/" + HTMLText.urlComponent($0) }))
        }
        router.get("/stats") { _, _ -> Response in
            html(page("Learned", false).render(StatsPage.body(try await dashboard.stats(playbook: nil, byUnit: false))))
        }
        router.get("/assets/medic.css") { _, _ in asset(DashboardAssets.css, type: "text/css; charset=utf-8") }
        router.get("/assets/medic.js") { _, _ in asset(DashboardAssets.javascript, type: "text/javascript; charset=utf-8") }

        router.get("/api/v1/status") { _, _ in json(await dashboard.status()) }
        router.get("/api/v1/slo") { _, _ in json(await dashboard.slo()) }
        router.get("/api/v1/history") { request, _ -> Response in
            switch historyFilter(request) {
            case .success(let filter): return json(try await dashboard.history(filter))
            case .failure(let problem): return apiError(.badRequest, problem.message)
            }
        }
        router.get("/api/v1/history/{id}") { _, context -> Response in
            guard let id = correctionID(context.parameters.get("id")), let (correction, steps) = try await dashboard.correction(id) else {
                return apiError(.notFound, "no such correction")
            }
            return json(CorrectionJSON(correction, steps: steps))
        }
        router.get("/api/v1/stats") { request, _ -> Response in
            let query = request.uri.queryParameters
            let byUnit = ["1", "true", "yes"].contains(query["by-unit"].map(String.init) ?? "")
            return json(try await dashboard.stats(playbook: query["playbook"].map(String.init), byUnit: byUnit))
        }
        router.get("/api/v1/explain/{unit}") { _, context -> Response in
            let name = decoded(context.parameters.get("unit") ?? "")
            guard let pattern = try? UnitPattern(name), !pattern.isGlob else { return apiError(.badRequest, "explain takes one unit name, not '\(name)'") }
            do {
                return json(ExplanationDocument(try await dashboard.explain(pattern)))
            } catch UnitInquiry.Failure.notLoaded(let unit) {
                return apiError(.notFound, "\(unit) is not loaded")
            } catch UnitInquiry.Failure.bus(let error) {
                return apiError(.serviceUnavailable, "cannot reach systemd: \(error)")
            }
        }
        router.get("/api/v1/events") { _, _ -> Response in
            guard let (id, messages) = await dashboard.feed.subscribe() else { return apiError(.serviceUnavailable, "too many live streams open") }
            let feed = dashboard.feed
            let body = ResponseBody { writer in
                do {
                    // The browser knows the stream is open before the first change arrives.
                    try await writer.write(ByteBuffer(string: "retry: 1000\nevent: hello\ndata: {}\n\n"))
                    for await message in messages { try await writer.write(ByteBuffer(string: message.wire)) }
                } catch {
                    // The reader went away: its place is freed at once.
                    await feed.unsubscribe(id)
                    throw error
                }
                await feed.unsubscribe(id)
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
        }
    }

    /// A problem with a request's parameters, said to the client.
    struct Problem: Error {
        var message: String
    }

    static func boardFilter(health: String?, unit: String?) -> Result<BoardPage.Filter, Problem> {
        var filter = BoardPage.Filter()
        if let health, !health.isEmpty {
            guard let parsed = Health(rawValue: health) else { return .failure(Problem(message: "unknown health '\(health)'")) }
            filter.health = parsed
        }
        if let unit, !unit.isEmpty {
            do { filter.pattern = try UnitPattern(unit) } catch { return .failure(Problem(message: error.description)) }
        }
        return .success(filter)
    }

    static func historyFilter(_ request: Request) -> Result<CorrectionFilter, Problem> {
        let query = request.uri.queryParameters
        var filter = CorrectionFilter(limit: 50)
        func value(_ key: String) -> String? { query[key[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        if let unit = value("unit") {
            do { filter.unit = try UnitPattern(unit).text } catch { return .failure(Problem(message: error.description)) }
        }
        filter.playbook = value("playbook")
        if let since = value("since") {
            guard let seconds = TimeText.parse(since) else { return .failure(Problem(message: "since: expected an RFC 3339 time, a date, @EPOCH or a duration ago, got '\(since)'")) }
            filter.since = seconds
        }
        if let outcome = value("outcome") {
            guard CorrectionOutcome(rawValue: outcome) != nil else { return .failure(Problem(message: "unknown outcome '\(outcome)'")) }
            filter.outcome = outcome
        }
        if let limit = value("limit") {
            guard let number = Int(limit), (1...1000).contains(number) else { return .failure(Problem(message: "limit: expected 1 to 1000, got '\(limit)'")) }
            filter.limit = number
        }
        return .success(filter)
    }

    static func correctionID(_ text: String?) -> Int64? {
        guard let text else { return nil }
        return Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text)
    }

    /// Path parameters as written (unit names carry `\x2d`, `@` and `:`, percent-encoded in links).
    static func decoded(_ text: String) -> String {
        text.contains("%") ? (text.removingPercentEncoding ?? text) : text
    }

    static func html(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func json<T: Encodable>(_ document: T) -> Response {
        guard let text = JSONDocument.text(document) else { return apiError(.internalServerError, "the document could not be encoded") }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func apiError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        struct Failure: Encodable { var error: String }
        var response = json(Failure(error: message))
        response.status = status
        return response
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    static func asset(_ content: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"], body: ResponseBody(byteBuffer: ByteBuffer(string: content)))
    }
}
