using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>Runs the command-line tools the tests compare against (bpftool, readelf, llvm-objdump).</summary>
internal static class Oracles
{
    /// <summary>Runs an installed oracle tool (gated: a missing tool skips outside CI, fails in it) and returns its stdout.</summary>
    public static string Run(string file, params string[] args)
    {
        Kernel.RequireTool(file, file switch { "readelf" => "binutils", "llvm-objcopy" or "llvm-objdump" => "llvm", _ => file });
        return HostCommand.Run(file, args, TimeSpan.FromMinutes(2)).EnsureSuccess();
    }

    /// <summary>Symbol table of an object as readelf prints it: name → (value, size, section index, type, bind).</summary>
    public static List<(string Name, ulong Value, ulong Size, string Type, string Bind, string Ndx)> Symbols(string path)
    {
        var result = new List<(string, ulong, ulong, string, string, string)>();
        foreach (var line in Run("readelf", "-sW", path).Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "   Num:    Value          Size Type    Bind   Vis      Ndx Name"
            if (f.Length < 8 || !f[0].EndsWith(':') || !int.TryParse(f[0].TrimEnd(':'), out _))
                continue;
            result.Add((f[7], Convert.ToUInt64(f[1], 16), ulong.Parse(f[2]), f[3], f[4], f[6]));
        }
        return result;
    }

    /// <summary>Section headers by name: (index, size).</summary>
    public static Dictionary<string, (int Index, ulong Size)> Sections(string path)
    {
        var result = new Dictionary<string, (int, ulong)>();
        foreach (var line in Run("readelf", "-SW", path).Split('\n'))
        {
            var open = line.IndexOf('[');
            var close = line.IndexOf(']');
            if (open < 0 || close < open || !int.TryParse(line[(open + 1)..close].Trim(), out var index) || index == 0)
                continue;
            var f = line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // Name Type Address Off Size ...
            if (f.Length < 5)
                continue;
            result[f[0]] = (index, Convert.ToUInt64(f[4], 16));
        }
        return result;
    }
}
