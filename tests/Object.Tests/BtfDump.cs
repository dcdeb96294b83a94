using System.Text;
using Ebpf.Btf;

namespace Ebpf.Object.Tests;

/// <summary>Renders a <see cref="BtfSpec"/> the way `bpftool btf dump file X` (raw format) prints it, so the
/// parsed model can be compared line by line with bpftool's own reading of the same bytes.</summary>
internal static class BtfDump
{
    public static string Render(BtfSpec btf)
    {
        var sb = new StringBuilder();
        for (var id = btf.FirstTypeId; id < (uint)btf.Count; id++)
            Append(sb, btf, btf[id]);
        return sb.ToString();
    }

    private static string N(string name) => name.Length == 0 ? "(anon)" : name;

    private static void Append(StringBuilder sb, BtfSpec btf, BtfType t)
    {
        sb.Append('[').Append(t.Id).Append("] ").Append(KindName(t.Kind)).Append(" '").Append(N(t.Name)).Append('\'');
        switch (t)
        {
            case BtfInt i:
                var enc = i.IsSigned ? "SIGNED" : i.IsChar ? "CHAR" : i.IsBool ? "BOOL" : "(none)";
                sb.Append($" size={i.Size} bits_offset={i.BitOffset} nr_bits={i.Bits} encoding={enc}\n");
                break;
            case BtfPtr p: sb.Append($" type_id={p.TargetId}\n"); break;
            case BtfRef r: sb.Append($" type_id={r.TargetId}\n"); break;
            case BtfArray a: sb.Append($" type_id={a.ElementId} index_type_id={a.IndexId} nr_elems={a.Length}\n"); break;
            case BtfComposite c:
                sb.Append($" size={c.Size} vlen={c.Members.Count}\n");
                foreach (var m in c.Members)
                {
                    sb.Append($"\t'{N(m.Name)}' type_id={m.TypeId} bits_offset={m.BitOffset}");
                    if (m.BitfieldSize != 0) sb.Append($" bitfield_size={m.BitfieldSize}");
                    sb.Append('\n');
                }
                break;
            case BtfEnum e:
                sb.Append($" encoding={(e.IsSigned ? "SIGNED" : "UNSIGNED")} size={e.Size} vlen={e.Values.Count}\n");
                foreach (var v in e.Values)
                {
                    var value = e.Kind == BtfKind.Enum
                        ? (e.IsSigned ? v.Value.ToString() : ((uint)v.Value).ToString())
                        : (e.IsSigned ? v.Value + "LL" : unchecked((ulong)v.Value) + "ULL");
                    sb.Append($"\t'{N(v.Name)}' val={value}\n");
                }
                break;
            case BtfFwd f: sb.Append($" fwd_kind={(f.IsUnion ? "union" : "struct")}\n"); break;
            case BtfFunc f: sb.Append($" type_id={f.ProtoId} linkage={Linkage(f.Linkage)}\n"); break;
            case BtfFuncProto fp:
                sb.Append($" ret_type_id={fp.ReturnId} vlen={fp.Params.Count}\n");
                foreach (var p in fp.Params)
                    sb.Append($"\t'{N(p.Name)}' type_id={p.TypeId}\n");
                break;
            case BtfVar v: sb.Append($" type_id={v.TypeId}, linkage={(v.Linkage == 1 ? "global" : v.Linkage == 0 ? "static" : "extern")}\n"); break;
            case BtfDataSec d:
                sb.Append($" size={d.Size} vlen={d.Vars.Count}\n");
                foreach (var v in d.Vars)
                {
                    var target = btf[v.TypeId];
                    sb.Append($"\ttype_id={v.TypeId} offset={v.Offset} size={v.Size} ({KindName(target.Kind)} '{N(target.Name)}')\n");
                }
                break;
            case BtfFloat f: sb.Append($" size={f.Size}\n"); break;
            case BtfDeclTag d: sb.Append($" type_id={d.TargetId} component_idx={d.ComponentIndex}\n"); break;
            default: throw new InvalidOperationException("unexpected " + t.Kind);
        }
    }

    private static string Linkage(uint l) => l switch { 0 => "static", 1 => "global", 2 => "extern", _ => "(unknown)" };

    private static string KindName(BtfKind k) => k switch
    {
        BtfKind.FuncProto => "FUNC_PROTO",
        BtfKind.DataSec => "DATASEC",
        BtfKind.DeclTag => "DECL_TAG",
        BtfKind.TypeTag => "TYPE_TAG",
        _ => k.ToString().ToUpperInvariant(),
    };
}
