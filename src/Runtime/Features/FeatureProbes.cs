using System.Text;
using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Features;

/// <summary>
/// The probes behind <see cref="Ebpf.KernelFeatures"/>, modelled on libbpf's libbpf_probe_bpf_*: load the smallest
/// program of a type, create the smallest map of a type, or call a helper from a minimal program and read the
/// verifier's verdict.
/// </summary>
internal static unsafe class FeatureProbes
{
    private static readonly byte[] ReturnZero =
    [
        0xb7, 0x00, 0, 0, 0, 0, 0, 0, // r0 = 0
        0x95, 0x00, 0, 0, 0, 0, 0, 0, // exit
    ];

    public static FeatureSupport ProgramType(ProgramType type, AttachType? attach)
    {
        var setup = Setup(type);
        if (attach is { } a)
            setup = setup with { ExpectedAttachType = (uint)a };
        var name = type.ToString();
        using var fd = Load(type, ReturnZero, setup, out var errno, out var log);
        if (fd is not null)
            return new(FeatureStatus.Supported, $"BPF_PROG_LOAD of a minimal {name} program{AttachText(attach)} succeeded");
        if (setup.ExpectedMessage is { } expected && log.Contains(expected, StringComparison.Ordinal))
            return new(FeatureStatus.Supported, $"the verifier knows {name} programs{AttachText(attach)} (it asked for a real attach target: \"{expected}\")");
        // EACCES with a verifier log is the verifier's verdict; without one (and EPERM) the load never got that far
        if (errno == Errno.EPERM || (errno == Errno.EACCES && log.Length == 0))
            return new(FeatureStatus.Unknown, $"BPF_PROG_LOAD of a {name} program{AttachText(attach)} was refused with {Errno.Describe(errno)}: {Privileges.Explain(BpfErrors.ProgramCapabilities(type))}");
        return new(FeatureStatus.Unsupported, $"BPF_PROG_LOAD of a minimal {name} program{AttachText(attach)} failed: {Errno.Describe(errno)}{FirstLine(log)}");
    }

    public static FeatureSupport Helper(ProgramType type, int helper)
    {
        var program = ProgramType(type, null);
        if (!program.IsSupported)
            return new(program.Status == FeatureStatus.Unsupported ? FeatureStatus.Unsupported : FeatureStatus.Unknown,
                $"helper #{helper} cannot be probed for {type} programs: {program.Reason}");
        var insns = new byte[24];
        insns[0] = 0x85; // call helper
        BitConverter.TryWriteBytes(insns.AsSpan(4), helper);
        ReturnZero.CopyTo(insns, 8);
        var setup = Setup(type);
        using var fd = Load(type, insns, setup, out var errno, out var log);
        // The verifier names unknown helpers ("invalid func unknown#N"), helpers it knows but not for this program
        // type ("unknown func ...", "program of this type cannot use helper ..."). Any other outcome, including
        // complaints about the arguments of our empty call, means the helper is available.
        foreach (var refusal in new[] { "invalid func ", "unknown func ", "program of this type cannot use helper " })
        {
            var at = log.IndexOf(refusal, StringComparison.Ordinal);
            if (at >= 0)
                return new(FeatureStatus.Unsupported, $"the verifier refuses helper #{helper} in {type} programs: {Line(log, at)}");
        }
        if (fd is null && log.Length == 0)
            return new(FeatureStatus.Unknown, $"probing helper #{helper} in {type} programs failed before verification: {Errno.Describe(errno)}");
        return new(FeatureStatus.Supported, $"the verifier accepts a call of helper #{helper} in {type} programs");
    }

    public static FeatureSupport MapType(MapType type)
    {
        uint key = 4, value = 4, max = 1, flags = 0;
        BpfFd? inner = null;
        switch (type)
        {
            case Object.MapType.StackTrace:
                value = 8; // one 64-bit instruction pointer
                break;
            case Object.MapType.LpmTrie:
                key = 8; value = 8; flags = 1; // BPF_F_NO_PREALLOC
                break;
            case Object.MapType.Queue or Object.MapType.Stack or Object.MapType.BloomFilter:
                key = 0;
                break;
            case Object.MapType.RingBuf or Object.MapType.UserRingBuf:
                key = 0; value = 0; max = (uint)Environment.SystemPageSize;
                break;
            case Object.MapType.CgroupStorage or Object.MapType.PerCpuCgroupStorage:
                key = 16; value = 8; max = 0; // sizeof(struct bpf_cgroup_storage_key), padded
                break;
            case Object.MapType.ArrayOfMaps or Object.MapType.HashOfMaps:
                inner = Create(Object.MapType.Array, 4, 4, 1, 0, -1, out _);
                if (inner is null)
                    return new(FeatureStatus.Unknown, $"the inner array map for probing {type} could not be created");
                break;
            case Object.MapType.Arena:
                key = 0; value = 0; flags = 1u << 10; // BPF_F_MMAPABLE
                break;
            case Object.MapType.SkStorage or Object.MapType.InodeStorage or Object.MapType.TaskStorage
                or Object.MapType.CgrpStorage or Object.MapType.StructOps:
                return new(FeatureStatus.Unknown, $"{type} maps need BTF key/value types to be created; this probe does not build BTF");
        }
        using (inner)
        {
            using var fd = Create(type, key, value, max, flags, inner?.Value ?? -1, out var errno);
            if (fd is not null)
            {
                return new(FeatureStatus.Supported, $"BPF_MAP_CREATE of a {type} map succeeded");
            }
            if (errno is Errno.EPERM or Errno.EACCES)
                return new(FeatureStatus.Unknown, $"BPF_MAP_CREATE of a {type} map was refused with {Errno.Describe(errno)}: no privileges");
            return new(FeatureStatus.Unsupported, $"BPF_MAP_CREATE of a minimal {type} map failed: {Errno.Describe(errno)}");
        }
    }

    private readonly record struct LoadSetup(uint ExpectedAttachType, uint AttachBtfId, uint Flags, string? ExpectedMessage);

    // What libbpf's probe sets per type: some types need an attach type, and a few cannot load without a real
    // attach target; for those the verifier's specific complaint proves it knows the type.
    private static LoadSetup Setup(ProgramType type) => type switch
    {
        Object.ProgramType.CgroupSockAddr => new((uint)AttachType.CgroupInet4Connect, 0, 0, null),
        Object.ProgramType.CgroupSockopt => new((uint)AttachType.CgroupGetsockopt, 0, 0, null),
        Object.ProgramType.SkLookup => new((uint)AttachType.SkLookup, 0, 0, null),
        Object.ProgramType.LircMode2 => new((uint)AttachType.LircMode2, 0, 0, null),
        Object.ProgramType.Netfilter => new((uint)AttachType.Netfilter, 0, 0, null),
        Object.ProgramType.Syscall => new(0, 0, 1u << 4, null),            // BPF_F_SLEEPABLE
        Object.ProgramType.Tracing => new((uint)AttachType.TraceFentry, 1, 0, "attach_btf_id 1 is not a function"),
        Object.ProgramType.Ext => new(0, 1, 0, "Cannot replace kernel functions"),
        Object.ProgramType.StructOps => new(0, 1, 0, "attach_btf_id 1 is not a supported struct"),
        Object.ProgramType.Lsm => new((uint)AttachType.LsmMac, 1, 0, "attach_btf_id 1 is invalid"),
        _ => new(0, 0, 0, null),
    };

    private static BpfFd? Load(ProgramType type, byte[] insns, LoadSetup setup, out int errno, out string log)
    {
        var logBuffer = new byte[4096];
        var license = "GPL\0"u8.ToArray();
        fixed (byte* i = insns, l = license, lb = logBuffer)
        {
            var attr = new ProgLoadAttr
            {
                ProgType = (uint)type,
                InsnCnt = (uint)(insns.Length / 8),
                Insns = (ulong)i,
                License = (ulong)l,
                LogLevel = 1,
                LogSize = (uint)logBuffer.Length,
                LogBuf = (ulong)lb,
                ExpectedAttachType = setup.ExpectedAttachType,
                AttachBtfId = setup.AttachBtfId,
                ProgFlags = setup.Flags,
            };
            var fd = Sys.ProgLoad(ref attr, out errno);
            var end = Array.IndexOf(logBuffer, (byte)0);
            log = Encoding.ASCII.GetString(logBuffer, 0, end < 0 ? logBuffer.Length : end);
            return fd;
        }
    }

    private static BpfFd? Create(MapType type, uint key, uint value, uint max, uint flags, int inner, out int errno)
    {
        var attr = new MapCreateAttr { MapType = (uint)type, KeySize = key, ValueSize = value, MaxEntries = max, MapFlags = flags, InnerMapFd = inner };
        return Sys.MapCreate(ref attr, out errno);
    }

    private static string AttachText(AttachType? attach) => attach is { } a ? $" with attach type {a}" : "";

    private static string FirstLine(string log)
    {
        var line = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => !l.StartsWith("processed ", StringComparison.Ordinal));
        return line is null ? "" : $" ({line.Trim()})";
    }

    private static string Line(string log, int at)
    {
        var end = log.IndexOf('\n', at);
        return log[at..(end < 0 ? log.Length : end)].Trim();
    }
}
