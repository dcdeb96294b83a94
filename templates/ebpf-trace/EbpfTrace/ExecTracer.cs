namespace EbpfTrace;

/// <summary>Loads exec.bpf.c, attaches it, and prints its records as they come until cancelled.</summary>
public static class ExecTracer
{
    public static async Task RunAsync(string? comm, TextWriter output, CancellationToken cancel)
    {
        using var skel = ExecSkel.OpenAndLoad();            // CO-RE relocations are resolved here, against this kernel
        using var link = skel.Programs.TraceExec.Attach();  // tp_btf/sched_process_exec, through a BPF link
        using var reader = skel.Maps.Events.OpenReader();
        output.WriteLine("Tracing execs. Press Ctrl+C to stop.");
        output.WriteLine(ExecRecord.Header);
        long seen = 0, shown = 0;
        try
        {
            // Each record is read straight into the struct generated from C (Types="exec_event" in the project).
            await foreach (var e in reader.ReadAllAsync<ExecSkel.ExecEvent>(cancel))
            {
                seen++;
                var record = ExecRecord.From(e);
                if (comm is not null && record.Comm != comm)
                    continue;
                shown++;
                output.WriteLine(record.Line());
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        output.WriteLine();
        output.WriteLine($"{seen} execs traced, {shown} shown, {skel.Bss.Dropped} dropped (ring buffer full).");
    }
}
