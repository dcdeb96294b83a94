using System;

namespace Ebpf.Object
{
    /// <summary>
    /// The bytes are not a BPF object (or BTF) this reader understands. The message names the section
    /// or offset and what was expected there; it is the only exception the reader throws on bad input.
    /// </summary>
    public sealed class ObjectFormatException : Exception
    {
        public ObjectFormatException(string message) : base(message) { }

        public ObjectFormatException(string message, Exception inner) : base(message, inner) { }
    }
}
