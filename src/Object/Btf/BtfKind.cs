namespace Ebpf.Btf
{
    /// <summary>BTF_KIND_* values, same numbers as the kernel's btf.h.</summary>
    public enum BtfKind : byte
    {
        Void = 0,
        Int,
        Ptr,
        Array,
        Struct,
        Union,
        Enum,
        Fwd,
        Typedef,
        Volatile,
        Const,
        Restrict,
        Func,
        FuncProto,
        Var,
        DataSec,
        Float,
        DeclTag,
        TypeTag,
        Enum64,
    }
}
