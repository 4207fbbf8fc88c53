/// A problem in a configuration file, located to the line, column and field.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// The dotted path of the field, e.g. "slo.units[1].objective"; empty for syntax errors.
    public var field: String
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// "medic.yaml:12:5: slo.units[1].objective: must be between 0 and 100".
    public var description: String {
        field.isEmpty ? "\(file):\(line):\(column): \(message)" : "\(file):\(line):\(column): \(field): \(message)"
    }
}
