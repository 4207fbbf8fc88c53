import MedicCore
import Testing

@Suite("Out-of-memory kills systemd reports as SIGKILL")
struct OutOfMemoryEvidenceTests {
    let messages = [
        "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "memory: usage 30720kB, limit 30720kB, failcnt 51",
        "Memory cgroup out of memory: Killed process 29700 (python3) total-vm:118968kB, anon-rss:30464kB, file-rss:5412kB, shmem-rss:0kB, UID:0 pgtables:124kB oom_score_adj:0",
        "Out of memory: Killed process 812 (java) total-vm:9000000kB",
    ]

    @Test("the kernel's message names the process it killed, in a memory cgroup or for the whole machine")
    func recognised() {
        #expect(OutOfMemoryEvidence.kernelKilled(pid: 29700, in: messages))
        #expect(OutOfMemoryEvidence.kernelKilled(pid: 812, in: messages))
        #expect(!OutOfMemoryEvidence.kernelKilled(pid: 2970, in: messages), "another process")
        #expect(!OutOfMemoryEvidence.kernelKilled(pid: 51, in: messages), "a number in another message")
        #expect(OutOfMemoryEvidence.killedPID(in: "oom_reaper: reaped process 29700 (python3)") == nil)
    }

    @Test("only a run ended by SIGKILL is worth the lookup, and the evidence makes the cause and signature out of memory")
    func worthChecking() {
        var s = UnitSnapshot(name: "app.service")
        s.result = "signal"
        s.execMainCode = 2
        s.execMainStatus = 9
        s.execMainPID = 29700
        #expect(OutOfMemoryEvidence.worthChecking(s))
        var term = s
        term.execMainStatus = 15
        #expect(!OutOfMemoryEvidence.worthChecking(term))
        var exited = s
        exited.result = "exit-code"
        exited.execMainCode = 1
        #expect(!OutOfMemoryEvidence.worthChecking(exited))
        s.outOfMemory = true
        let verdict = HealthVerdict(.failed, "failed")
        #expect(FailureSignature(s, verdict: verdict, journal: nil).base == "oom-kill")
        #expect(FailureDescription.describe(s).hasPrefix("out of memory: the kernel killed the main process"))
    }
}
