using Ebpf.Btf;

namespace Ebpf.Core;

/// <summary>
/// What one relocation does to its instruction: the value the compiler put there (<see cref="Original"/>,
/// checked when <see cref="Validate"/>) and the one the target needs (<see cref="New"/>); memory access sizes
/// for loads/stores; or <see cref="Poison"/> when the target lacks what the program asks for.
/// </summary>
internal struct CoreRelocationValue
{
    public ulong Original;
    public ulong New;
    public bool Poison;
    public bool Validate;
    public bool FailMemorySizeAdjust;
    public uint OriginalSize;
    public uint NewSize;
    public uint OriginalTypeId;
    public uint NewTypeId;
    /// <summary>Why the instruction is poisoned, for the failure list.</summary>
    public string? PoisonReason;

    /// <summary>Computes the value from the local spec and a matched target spec (null: nothing matched).</summary>
    public static CoreRelocationValue Compute(CoreSpec local, CoreSpec? target)
    {
        var r = new CoreRelocationValue { Validate = true };
        var kind = local.Kind;
        if (kind.IsFieldBased())
        {
            var localField = Field(local, kind);
            r.Original = localField.Value;
            r.OriginalSize = localField.Size;
            r.OriginalTypeId = localField.TypeId;
            r.Validate = localField.Validate;
            if (target is null && kind != CoreRelocationKind.FieldExists)
                return Poisoned(r, "the field does not exist in the target");
            var targetField = target is null ? new FieldValue(0, 0, 0, false) : Field(target, kind);
            r.New = targetField.Value;
            r.NewSize = targetField.Size;
            r.NewTypeId = targetField.TypeId;
            if (r.OriginalSize != r.NewSize)
            {
                // Narrowing or widening a load is only safe for pointers (a 32-bit kernel pointer read into a 64-bit
                // register) and unsigned integers (zero extension keeps the value); libbpf refuses anything else.
                var o = local.Btf[r.OriginalTypeId];
                var n = target!.Btf[r.NewTypeId];
                var safe = (o is BtfPtr && n is BtfPtr) || (o is BtfInt oi && n is BtfInt ni && !oi.IsSigned && !ni.IsSigned);
                r.FailMemorySizeAdjust = !safe;
            }
            return r;
        }
        if (kind.IsTypeBased())
        {
            r.Original = TypeValue(local, kind);
            r.New = target is null ? 0 : TypeValue(target, kind);
            // type ids change when objects are linked, so the compiled-in id is never checked
            r.Validate = kind != CoreRelocationKind.TypeIdTarget;
            return r;
        }
        r.Original = EnumValue(local, kind);
        if (target is null && kind == CoreRelocationKind.EnumValue)
            return Poisoned(r, "the enum value does not exist in the target");
        r.New = target is null ? 0 : EnumValue(target, kind);
        return r;
    }

    private static CoreRelocationValue Poisoned(CoreRelocationValue r, string reason)
    {
        r.Poison = true;
        r.PoisonReason = reason;
        return r;
    }

    private readonly record struct FieldValue(ulong Value, uint Size, uint TypeId, bool Validate);

    private static FieldValue Field(CoreSpec spec, CoreRelocationKind kind)
    {
        if (kind == CoreRelocationKind.FieldExists)
            return new FieldValue(1, 0, 0, true);
        var btf = spec.Btf;
        var acc = spec.Accessors[^1];
        if (acc.Name is null)
        {
            // the path ends in an array element (or is the root pointer itself)
            var size = CoreSpecParser.SizeOf(btf, acc.TypeId);
            return kind switch
            {
                CoreRelocationKind.FieldByteOffset => new FieldValue((ulong)(spec.BitOffset / 8), size, acc.TypeId, true),
                CoreRelocationKind.FieldByteSize => new FieldValue(size, 0, 0, true),
                _ => throw new CoreError($"{CoreNames.KindName(kind)} cannot be applied to an array element access"),
            };
        }

        var composite = (BtfComposite)btf[acc.TypeId];
        var member = composite.Members[acc.Index];
        var memberType = btf.Resolve(member.TypeId);
        var bitOffset = (ulong)spec.BitOffset;
        ulong bitSize = btf.MemberBits(member).BitfieldSize;
        var bitfield = bitSize > 0;
        ulong byteSize, byteOffset;
        if (bitfield)
        {
            // the smallest aligned load that covers the bitfield, starting from the declared type's size
            byteSize = CoreSpecParser.SizeOf(btf, memberType.Id);
            byteOffset = bitOffset / 8 / byteSize * byteSize;
            while (bitOffset + bitSize - byteOffset * 8 > byteSize * 8)
            {
                if (byteSize >= 8)
                    throw new CoreError($"bitfield {member.Name} cannot be read with one 64-bit load");
                byteSize *= 2;
                byteOffset = bitOffset / 8 / byteSize * byteSize;
            }
        }
        else
        {
            byteSize = CoreSpecParser.SizeOf(btf, memberType.Id);
            byteOffset = bitOffset / 8;
            bitSize = byteSize * 8;
        }

        // For bitfields the compiler and libbpf may choose different loads; only signedness and the right shift are unambiguous.
        var validate = !bitfield;
        switch (kind)
        {
            case CoreRelocationKind.FieldByteOffset:
                return bitfield ? new FieldValue(byteOffset, 0, 0, validate) : new FieldValue(byteOffset, (uint)byteSize, memberType.Id, validate);
            case CoreRelocationKind.FieldByteSize:
                return new FieldValue(byteSize, 0, 0, validate);
            case CoreRelocationKind.FieldSigned:
                var signed = (memberType is BtfEnum e && e.IsSigned) || (memberType is BtfInt i && i.IsSigned);
                return new FieldValue(signed ? 1u : 0u, 0, 0, true);
            case CoreRelocationKind.FieldLShiftU64:
                // the shift applies to a value loaded on this machine, so the host's byte order decides
                var shift = BitConverter.IsLittleEndian
                    ? 64 - (bitOffset + bitSize - byteOffset * 8)
                    : (8 - byteSize) * 8 + (bitOffset - byteOffset * 8);
                return new FieldValue(shift, 0, 0, validate);
            case CoreRelocationKind.FieldRShiftU64:
                return new FieldValue(64 - bitSize, 0, 0, true);
            default:
                throw new CoreError($"relocation kind {CoreNames.KindName(kind)} is not a field relocation");
        }
    }

    private static ulong TypeValue(CoreSpec spec, CoreRelocationKind kind) => kind switch
    {
        CoreRelocationKind.TypeIdLocal or CoreRelocationKind.TypeIdTarget => spec.RootTypeId,
        CoreRelocationKind.TypeExists or CoreRelocationKind.TypeMatches => 1,
        CoreRelocationKind.TypeSize => CoreSpecParser.SizeOf(spec.Btf, spec.RootTypeId),
        _ => throw new CoreError($"relocation kind {CoreNames.KindName(kind)} is not type-based"),
    };

    private static ulong EnumValue(CoreSpec spec, CoreRelocationKind kind)
    {
        if (kind == CoreRelocationKind.EnumValueExists)
            return 1;
        var acc = spec.Accessors[0];
        var e = (BtfEnum)spec.Btf[acc.TypeId];
        var value = e.Values[acc.Index].Value;
        // a 32-bit enum's value is an s32 in BTF and widens with its sign, as in libbpf
        return e.Kind == BtfKind.Enum ? (ulong)(long)(int)value : (ulong)value;
    }
}
