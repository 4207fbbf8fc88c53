/// Numbers as people and Prometheus read them: whole numbers without a fraction (14.4, 6, 0.25).
public enum NumberText {
    /// The shortest decimal text that reads back as `value`; whole numbers without ".0".
    public static func shortest(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
