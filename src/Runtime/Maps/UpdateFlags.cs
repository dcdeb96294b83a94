namespace Ebpf.Maps;

/// <summary>How BPF_MAP_UPDATE_ELEM treats an existing key (the kernel's BPF_ANY / BPF_NOEXIST / BPF_EXIST).</summary>
public enum UpdateFlags : ulong
{
    /// <summary>Create the entry or replace it.</summary>
    Any = 0,
    /// <summary>Create only: fails with EEXIST when the key is present.</summary>
    NoExist = 1,
    /// <summary>Replace only: fails with ENOENT when the key is absent.</summary>
    Exist = 2,
    /// <summary>Take the value's bpf_spin_lock while copying (values that contain one).</summary>
    Lock = 4,
}
