import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into an awaitable event, so commands can clean up before exiting.
enum Interrupt {
    /// Returns when SIGINT or SIGTERM arrives, or when the calling task is cancelled.
    static func wait() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        await withTaskCancellationHandler {
            for await _ in stream { return }
        } onCancel: {
            continuation.finish()
        }
    }
}
