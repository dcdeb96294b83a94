using System.Collections.Generic;

namespace Ebpf.Btf
{
    /// <summary>One BTF type. <see cref="Id"/> is its type id (0 is void); <see cref="Name"/> is "" for anonymous types.</summary>
    public abstract class BtfType
    {
        private protected BtfType(uint id, string name)
        {
            Id = id;
            Name = name;
        }

        public uint Id { get; }

        public string Name { get; }

        public abstract BtfKind Kind { get; }

        public override string ToString() => Name.Length == 0 ? $"[{Id}] {Kind} (anon)" : $"[{Id}] {Kind} '{Name}'";
    }

    /// <summary>Type id 0.</summary>
    public sealed class BtfVoid : BtfType
    {
        internal BtfVoid() : base(0, "") { }

        public override BtfKind Kind => BtfKind.Void;
    }

    public sealed class BtfInt : BtfType
    {
        internal BtfInt(uint id, string name, uint size, uint bits, uint bitOffset, bool isSigned, bool isChar, bool isBool) : base(id, name)
        {
            Size = size;
            Bits = bits;
            BitOffset = bitOffset;
            IsSigned = isSigned;
            IsChar = isChar;
            IsBool = isBool;
        }

        public override BtfKind Kind => BtfKind.Int;

        /// <summary>Storage size in bytes.</summary>
        public uint Size { get; }

        /// <summary>Number of value bits (BTF_INT_BITS).</summary>
        public uint Bits { get; }

        /// <summary>BTF_INT_OFFSET: bit offset of the value inside the storage (0 in practice).</summary>
        public uint BitOffset { get; }

        public bool IsSigned { get; }

        public bool IsChar { get; }

        public bool IsBool { get; }
    }

    public sealed class BtfPtr : BtfType
    {
        internal BtfPtr(uint id, string name, uint targetId) : base(id, name) => TargetId = targetId;

        public override BtfKind Kind => BtfKind.Ptr;

        public uint TargetId { get; }
    }

    public sealed class BtfArray : BtfType
    {
        internal BtfArray(uint id, string name, uint elementId, uint indexId, uint length) : base(id, name)
        {
            ElementId = elementId;
            IndexId = indexId;
            Length = length;
        }

        public override BtfKind Kind => BtfKind.Array;

        public uint ElementId { get; }

        public uint IndexId { get; }

        /// <summary>Number of elements.</summary>
        public uint Length { get; }
    }

    /// <summary>A struct or union member. For a struct with kind_flag set, the raw offset word is split into
    /// <see cref="BitfieldSize"/> (top 8 bits) and <see cref="BitOffset"/> (low 24 bits); otherwise it is all offset.</summary>
    public sealed class BtfMember
    {
        internal BtfMember(string name, uint typeId, uint bitOffset, uint bitfieldSize)
        {
            Name = name;
            TypeId = typeId;
            BitOffset = bitOffset;
            BitfieldSize = bitfieldSize;
        }

        public string Name { get; }

        public uint TypeId { get; }

        /// <summary>Offset of the member from the start of the struct, in bits.</summary>
        public uint BitOffset { get; }

        /// <summary>Width of a bitfield in bits; 0 = not a bitfield (or an int-encoded bitfield without kind_flag:
        /// <see cref="BtfSpec.MemberBits"/> knows both encodings).</summary>
        public uint BitfieldSize { get; }

        public override string ToString() => BitfieldSize == 0 ? $"{Name}@{BitOffset}" : $"{Name}@{BitOffset}:{BitfieldSize}";
    }

    /// <summary>A struct (<see cref="BtfKind.Struct"/>) or union (<see cref="BtfKind.Union"/>).</summary>
    public sealed class BtfComposite : BtfType
    {
        internal BtfComposite(uint id, string name, bool isUnion, uint size, IReadOnlyList<BtfMember> members) : base(id, name)
        {
            IsUnion = isUnion;
            Size = size;
            Members = members;
        }

        public override BtfKind Kind => IsUnion ? BtfKind.Union : BtfKind.Struct;

        public bool IsUnion { get; }

        public uint Size { get; }

        public IReadOnlyList<BtfMember> Members { get; }
    }

    public sealed class BtfEnumValue
    {
        internal BtfEnumValue(string name, long value)
        {
            Name = name;
            Value = value;
        }

        public string Name { get; }

        /// <summary>The value; for unsigned 64-bit enumerators above long.MaxValue this is the same bits (use unchecked((ulong)Value)).</summary>
        public long Value { get; }

        public override string ToString() => $"{Name} = {Value}";
    }

    /// <summary>An enum (<see cref="BtfKind.Enum"/>, 32-bit values) or enum64 (<see cref="BtfKind.Enum64"/>).</summary>
    public sealed class BtfEnum : BtfType
    {
        private readonly BtfKind kind;

        internal BtfEnum(uint id, string name, BtfKind kind, uint size, bool isSigned, IReadOnlyList<BtfEnumValue> values) : base(id, name)
        {
            this.kind = kind;
            Size = size;
            IsSigned = isSigned;
            Values = values;
        }

        public override BtfKind Kind => kind;

        public uint Size { get; }

        /// <summary>kind_flag: the values are signed.</summary>
        public bool IsSigned { get; }

        public IReadOnlyList<BtfEnumValue> Values { get; }
    }

    /// <summary>A forward declaration of a struct or union.</summary>
    public sealed class BtfFwd : BtfType
    {
        internal BtfFwd(uint id, string name, bool isUnion) : base(id, name) => IsUnion = isUnion;

        public override BtfKind Kind => BtfKind.Fwd;

        public bool IsUnion { get; }
    }

    /// <summary>A type that refers to one other type: typedef, volatile, const, restrict, type_tag.</summary>
    public sealed class BtfRef : BtfType
    {
        private readonly BtfKind kind;

        internal BtfRef(uint id, string name, BtfKind kind, uint targetId) : base(id, name)
        {
            this.kind = kind;
            TargetId = targetId;
        }

        public override BtfKind Kind => kind;

        public uint TargetId { get; }
    }

    public sealed class BtfFunc : BtfType
    {
        internal BtfFunc(uint id, string name, uint protoId, uint linkage) : base(id, name)
        {
            ProtoId = protoId;
            Linkage = linkage;
        }

        public override BtfKind Kind => BtfKind.Func;

        public uint ProtoId { get; }

        /// <summary>0 static, 1 global, 2 extern.</summary>
        public uint Linkage { get; }
    }

    public sealed class BtfParam
    {
        internal BtfParam(string name, uint typeId)
        {
            Name = name;
            TypeId = typeId;
        }

        public string Name { get; }

        /// <summary>0 for the variadic "..." marker (last parameter).</summary>
        public uint TypeId { get; }
    }

    public sealed class BtfFuncProto : BtfType
    {
        internal BtfFuncProto(uint id, string name, uint returnId, IReadOnlyList<BtfParam> parameters) : base(id, name)
        {
            ReturnId = returnId;
            Params = parameters;
        }

        public override BtfKind Kind => BtfKind.FuncProto;

        public uint ReturnId { get; }

        public IReadOnlyList<BtfParam> Params { get; }
    }

    public sealed class BtfVar : BtfType
    {
        internal BtfVar(uint id, string name, uint typeId, uint linkage) : base(id, name)
        {
            TypeId = typeId;
            Linkage = linkage;
        }

        public override BtfKind Kind => BtfKind.Var;

        public uint TypeId { get; }

        /// <summary>0 static, 1 global (allocated), 2 extern.</summary>
        public uint Linkage { get; }
    }

    public sealed class BtfVarSecInfo
    {
        internal BtfVarSecInfo(uint typeId, uint offset, uint size)
        {
            TypeId = typeId;
            Offset = offset;
            Size = size;
        }

        /// <summary>The VAR (or FUNC for .ksyms) type id.</summary>
        public uint TypeId { get; }

        public uint Offset { get; }

        public uint Size { get; }
    }

    public sealed class BtfDataSec : BtfType
    {
        internal BtfDataSec(uint id, string name, uint size, IReadOnlyList<BtfVarSecInfo> vars) : base(id, name)
        {
            Size = size;
            Vars = vars;
        }

        public override BtfKind Kind => BtfKind.DataSec;

        /// <summary>As written in the object; clang may leave it 0 (the object reader uses the ELF section size).</summary>
        public uint Size { get; }

        public IReadOnlyList<BtfVarSecInfo> Vars { get; }
    }

    public sealed class BtfFloat : BtfType
    {
        internal BtfFloat(uint id, string name, uint size) : base(id, name) => Size = size;

        public override BtfKind Kind => BtfKind.Float;

        public uint Size { get; }
    }

    public sealed class BtfDeclTag : BtfType
    {
        internal BtfDeclTag(uint id, string name, uint targetId, int componentIndex) : base(id, name)
        {
            TargetId = targetId;
            ComponentIndex = componentIndex;
        }

        public override BtfKind Kind => BtfKind.DeclTag;

        public uint TargetId { get; }

        /// <summary>-1 when the tag applies to the type itself, else the member/parameter index.</summary>
        public int ComponentIndex { get; }
    }
}
