import Foundation
import MedicCore
import MedicEngine
import Testing

@Suite("Reading the kernel's kill messages")
struct KernelMessagesTests {
    @Test("kill messages are kept across looks; each look reads only what was written since the last")
    func incremental() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("medic-kmsg-\(UInt32.random(in: 0..<UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = """
            6,100,5000,-;eth0: link up
             SUBSYSTEM=net
            3,101,6000,-;Memory cgroup out of memory: Killed process 4242 (python3) total-vm:1kB
            4,102,7000,-;some other line mentioning nothing

            """
        try first.write(toFile: path, atomically: false, encoding: .utf8)
        let kernel = KernelMessages(path: path, limit: 2)
        #expect(kernel.recentKills().compactMap(OutOfMemoryEvidence.killedPID) == [4242])

        // What was read is not read again (the kernel never rewrites a record it has handed out):
        // changing it in place goes unnoticed; what is appended is read.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(first.replacingOccurrences(of: "4242", with: "4243").utf8))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("3,103,8000,-;Out of memory: Killed process 77 (java)\n3,104,9000,-;Out of memory: Killed process 78 (java)\n".utf8))
        try handle.close()
        #expect(kernel.recentKills().compactMap(OutOfMemoryEvidence.killedPID) == [77, 78], "only the latest `limit` kills")
        #expect(kernel.recentKills().compactMap(OutOfMemoryEvidence.killedPID) == [77, 78])
    }

    @Test("no device, no messages")
    func missing() {
        #expect(KernelMessages(path: "/nonexistent/kmsg").recentKills().isEmpty)
    }
}
