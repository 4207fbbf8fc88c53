import Foundation

/// Reads the process tree from /proc.
enum ProcessTree {
    /// Every live process whose chain of parents reaches `root`.
    static func descendants(of root: Int32) -> [Int32] {
        var parent: [Int32: Int32] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after the command name: state, ppid, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let ppid = Int32(fields[1]) { parent[pid] = ppid }
        }
        return parent.keys.filter { pid in
            var current = parent[pid]
            var hops = 0
            while let p = current, hops < 64 {
                if p == root { return true }
                current = parent[p]
                hops += 1
            }
            return false
        }
    }
}
