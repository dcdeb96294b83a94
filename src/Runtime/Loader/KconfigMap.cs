using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Ebpf.Btf;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Loader;

/// <summary>
/// The .kconfig map of an object that declares <c>extern ... __kconfig</c> variables: one read-only array value laid
/// out as the reader fixed the .kconfig DATASEC (libbpf's layout), filled from the running kernel's configuration
/// (/proc/config.gz, else /boot/config-&lt;release&gt;) plus libbpf's LINUX_* values, then frozen.
/// Options the configuration does not set read as 0 / "n" / "", as libbpf treats weak externs.
/// </summary>
internal static unsafe class KconfigMap
{
    public static (BpfMap Map, IReadOnlySet<string> Names)? CreateIfNeeded(ObjectSpec spec, string objectName, BpfFd? btf, List<IDisposable> owned)
    {
        if (spec.Btf?.Find<BtfDataSec>(".kconfig") is not { } section || section.Size == 0)
            return null;
        var value = new byte[section.Size];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var config = new Lazy<Dictionary<string, string>>(ReadKernelConfig);
        foreach (var v in section.Vars)
        {
            if (spec.Btf[v.TypeId] is not BtfVar variable)
                continue;
            names.Add(variable.Name);
            Fill(spec.Btf, variable, value.AsSpan((int)v.Offset, (int)v.Size), config);
        }
        var mapSpec = new MapSpec(".kconfig", MapType.Array, 4, section.Size, 1, MapSpec.FlagReadOnlyProg);
        var map = new BpfMap(mapSpec);
        owned.Add(map);
        map.Attach(MapCreator.Create(mapSpec, null, null, LoaderNames.DataMapName(objectName, ".kconfig")));
        var key = 0u;
        fixed (byte* p = value)
        {
            var errno = MapSyscalls.Update(map.Handle, &key, p, 0);
            if (errno == 0)
                errno = MapSyscalls.Freeze(map.Handle);
            if (errno != 0)
                throw new BpfException($"cannot initialise the .kconfig map of object '{objectName}': {Errno.Describe(errno)}", errno, "BPF_MAP_UPDATE_ELEM", ".kconfig");
        }
        return (map, names);
    }

    private static void Fill(BtfSpec btf, BtfVar variable, Span<byte> slot, Lazy<Dictionary<string, string>> config)
    {
        var type = btf.Resolve(variable.TypeId);
        switch (variable.Name)
        {
            case "LINUX_KERNEL_VERSION":
                WriteInteger(slot, KernelVersion.Code);
                return;
            case "LINUX_HAS_BPF_COOKIE": // BPF cookies exist since 5.15; the loader needs newer kernels anyway
            case "LINUX_HAS_SYSCALL_WRAPPER": // x86_64 and arm64 kernels wrap syscalls (pt_regs-based) since 4.17
                WriteInteger(slot, 1);
                return;
        }
        if (!config.Value.TryGetValue(variable.Name, out var text))
            return; // unset: zero
        switch (type)
        {
            case BtfEnum: // enum libbpf_tristate { TRI_NO, TRI_YES, TRI_MODULE }
                WriteInteger(slot, text switch { "y" => 1, "m" => 2, _ => 0 });
                break;
            case BtfInt { IsBool: true }:
                slot[0] = text is "y" or "m" ? (byte)1 : (byte)0;
                break;
            case BtfInt { IsChar: true } when slot.Length == 1:
                slot[0] = text.Length == 1 ? (byte)text[0] : (byte)0;
                break;
            case BtfArray:
                var s = text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;
                var n = Math.Min(s.Length, slot.Length - 1);
                for (var i = 0; i < n; i++)
                    slot[i] = (byte)s[i];
                break;
            default:
                if (TryParseNumber(text, out var number))
                    WriteInteger(slot, number);
                break;
        }
    }

    private static void WriteInteger(Span<byte> slot, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        bytes[..Math.Min(8, slot.Length)].CopyTo(slot);
    }

    private static bool TryParseNumber(string text, out long value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static Dictionary<string, string> ReadKernelConfig()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        TextReader? reader = null;
        try
        {
            var bootConfig = $"/boot/config-{KernelVersion.Release}";
            if (File.Exists("/proc/config.gz"))
                reader = new StreamReader(new GZipStream(File.OpenRead("/proc/config.gz"), CompressionMode.Decompress));
            else if (File.Exists(bootConfig))
                reader = File.OpenText(bootConfig);
            if (reader is null)
                throw new BpfException(
                    "the object reads kernel configuration (__kconfig externs) but neither /proc/config.gz nor /boot/config-<release> exists: "
                    + "load the configs module (modprobe configs) or install the kernel's config file", Errno.ENOENT, "read kernel config", ".kconfig");
            while (reader.ReadLine() is { } line)
            {
                var eq = line.IndexOf('=');
                if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && eq > 0)
                    result[line[..eq]] = line[(eq + 1)..];
            }
        }
        finally
        {
            reader?.Dispose();
        }
        return result;
    }
}
