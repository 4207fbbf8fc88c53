/// Why the sandbox could not be started or used; always says what to do about it.
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
