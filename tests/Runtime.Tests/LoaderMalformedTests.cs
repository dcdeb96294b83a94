using Ebpf.Object;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Truncated and mutated objects through the whole loader: each must fail with the format error, a
/// <see cref="BpfException"/> (e.g. the verifier's) or load; never crash the process or hang.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderMalformedTests
{
    [Fact]
    public async Task Truncated_and_mutated_objects_fail_cleanly_or_load()
    {
        Kernel.RequireRoot();
        var original = TestObjects.Bytes("rt_loader.bpf.c");
        var random = new Random(5);
        var outcomes = new Dictionary<string, int>();
        var inputs = new List<byte[]>();
        for (var i = 0; i < 40; i++)
            inputs.Add(original[..random.Next(original.Length)]);
        for (var i = 0; i < 160; i++)
        {
            var mutated = (byte[])original.Clone();
            for (var flips = random.Next(1, 8); flips > 0; flips--)
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            inputs.Add(mutated);
        }
        foreach (var input in inputs)
        {
            var run = Task.Run(() => Outcome(input), TestContext.Current.CancellationToken);
            var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
            Assert.True(finished == run, "a malformed object hung the loader");
            var outcome = await run;
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Assert.True(outcomes.ContainsKey("format"), string.Join(", ", outcomes));
    }

    private static string Outcome(byte[] elf)
    {
        try
        {
            using var obj = BpfObject.Open(elf);
            obj.Load();
            return "loaded";
        }
        catch (ObjectFormatException)
        {
            return "format";
        }
        catch (BpfVerifierException)
        {
            return "verifier";
        }
        catch (BpfException e)
        {
            return "bpf " + e.Operation;
        }
        catch (CoreRelocationException)
        {
            return "co-re";
        }
    }
}
