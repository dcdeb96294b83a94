using System.Text;
using Ebpf.Btf;

namespace Ebpf.Core;

/// <summary>
/// One step of an access path that matters when matching against another BTF: the root index (<c>p[0]</c>),
/// a named member, or an array index. <see cref="TypeId"/> is the (modifier-free) type the step indexes into:
/// the struct/union for a member, the element type for an array index.
/// </summary>
internal readonly record struct CoreAccessor(uint TypeId, int Index, string? Name);

/// <summary>
/// An access string resolved against one BTF (libbpf's bpf_core_spec). <see cref="Raw"/> has one entry per
/// step including anonymous members; <see cref="Accessors"/> only the named members and array indices, which is
/// what has to be found again in the target. <see cref="BitOffset"/> is the field's offset from the root pointer.
/// </summary>
internal sealed class CoreSpec
{
    public const int MaxLength = 64; // libbpf's BPF_CORE_SPEC_MAX_LEN

    public CoreSpec(BtfSpec btf, uint rootTypeId, CoreRelocationKind kind)
    {
        Btf = btf;
        RootTypeId = rootTypeId;
        Kind = kind;
    }

    public BtfSpec Btf { get; }
    public uint RootTypeId { get; }
    public CoreRelocationKind Kind { get; }
    public List<CoreAccessor> Accessors { get; } = new();
    public List<int> Raw { get; } = new();
    public long BitOffset { get; set; }

    /// <summary>C-like view of the access, e.g. <c>task_struct.sig[0].count</c>, for messages.</summary>
    public string Describe()
    {
        var sb = new StringBuilder(Btf[RootTypeId].Name.Length == 0 ? "<anon>" : Btf[RootTypeId].Name);
        if (Kind.IsEnumValueBased() && Accessors.Count > 0)
            return sb.Append("::").Append(Accessors[0].Name).ToString();
        for (var i = 0; i < Accessors.Count; i++)
        {
            var a = Accessors[i];
            if (a.Name is not null)
                sb.Append('.').Append(a.Name);
            else if (i > 0 || a.Index > 0)
                sb.Append('[').Append(a.Index).Append(']');
        }
        return sb.ToString();
    }
}
