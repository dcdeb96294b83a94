using System.Runtime.InteropServices;
using Ebpf.AotApp;

// Loads aot_count.bpf.c, attaches its tracepoint program, makes a known number of getppid() calls from three threads and
// prints what the kernel counted, read three ways; tests/Examples.Tests (AotPublishTests) runs this app published
// with NativeAOT and compares the lines exactly. Exit code 0 only when every count is the expected one.
const int MainCalls = 1000, WorkerCalls = 500;

using var skel = AotCountSkel.Open();
skel.Rodata.TargetTgid = (uint)Environment.ProcessId;
skel.Load();
using var link = skel.Programs.CountGetppid.Attach();
using var reader = skel.Maps.Events.OpenReader();

var tids = new int[3];
var workers = Enumerable.Range(1, 2).Select(i => new Thread(() => tids[i] = Libc.Call(WorkerCalls))).ToArray();
foreach (var w in workers)
    w.Start();
tids[0] = Libc.Call(MainCalls);
foreach (var w in workers)
    w.Join();

var seqs = new HashSet<uint>();
using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
{
    try
    {
        await foreach (var e in reader.ReadAllAsync<AotCountSkel.CallEvent>(timeout.Token))
        {
            if (e.Tgid == (uint)Environment.ProcessId)
                seqs.Add(e.Seq);
            if (seqs.Count == MainCalls + 2 * WorkerCalls)
                break;
        }
    }
    catch (OperationCanceledException)
    {
    }
}

var byThread = tids.Select(t => skel.Maps.CallsByThread.TryLookup((uint)t, out var n) ? n : 0).ToArray();
Console.WriteLine($"calls: {skel.Bss.Calls}");
Console.WriteLine($"by thread: {string.Join(" ", byThread)} ({skel.Maps.CallsByThread.Keys.Count()} threads)");
Console.WriteLine($"events: {seqs.Count} distinct, last {(seqs.Count > 0 ? seqs.Max() : -1)}");
var ok = skel.Bss.Calls == MainCalls + 2 * WorkerCalls && byThread.SequenceEqual(new ulong[] { MainCalls, WorkerCalls, WorkerCalls })
         && seqs.Count == MainCalls + 2 * WorkerCalls;
return ok ? 0 : 1;

namespace Ebpf.AotApp
{
    internal static partial class Libc
    {
        /// <summary>Calls getppid() <paramref name="times"/> times on this thread; returns the thread's id.</summary>
        public static int Call(int times)
        {
            for (var i = 0; i < times; i++)
                GetParentPid();
            return GetThreadId();
        }

        [LibraryImport("libc", EntryPoint = "getppid")]
        private static partial int GetParentPid();

        [LibraryImport("libc", EntryPoint = "gettid")]
        private static partial int GetThreadId();
    }
}
