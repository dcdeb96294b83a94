using System.CommandLine;
using Ebpf;
using EbpfTrace;

var comm = new Option<string?>("--comm", "-c")
{
    Description = "Show only the execs of this command name (as in ps, at most 15 characters).",
};
var root = new RootCommand("Prints every exec on this machine, from a tp_btf program and a ring buffer of typed records. Ctrl+C stops and prints the totals.")
{
    comm,
};
root.SetAction(async (parse, cancel) =>
{
    try
    {
        await ExecTracer.RunAsync(parse.GetValue(comm), Console.Out, cancel);
        return 0;
    }
    catch (BpfException e)
    {
        // The runtime's messages name the cause and the fix (not root, a kernel without BTF, ...).
        Console.Error.WriteLine($"EbpfTrace: {e.Message}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
