/// Lays out rows in columns as wide as their widest cell; the last column is not padded.
enum TextTable {
    static func lines(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in column == row.count - 1 ? cell : cell.padded(widths[column]) }.joined(separator: "  ")
        }
    }
}
