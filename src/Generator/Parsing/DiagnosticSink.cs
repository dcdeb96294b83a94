using System.Collections.Generic;
using Ebpf.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Generator.Parsing
{
    /// <summary>Collects the diagnostics of one object as plain data, all located at the object's C source.</summary>
    internal sealed class DiagnosticSink
    {
        // A crafted object could otherwise produce one warning per BTF member; past this many, the rest add nothing.
        private const int Limit = 64;

        private readonly List<DiagnosticInfo> items = new List<DiagnosticInfo>();
        private readonly string filePath;

        public DiagnosticSink(string filePath) => this.filePath = filePath;

        public bool HasErrors { get; private set; }

        public void Add(DiagnosticDescriptor descriptor, params string[] arguments)
        {
            if (descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                HasErrors = true;
            if (items.Count >= Limit)
                return;
            var args = new string[arguments.Length];
            for (var i = 0; i < args.Length; i++)
                args[i] = Identifiers.Printable(arguments[i], 300);
            items.Add(new DiagnosticInfo(descriptor.Id, new EquatableArray<string>(args), filePath));
        }

        public EquatableArray<DiagnosticInfo> ToArray() => new EquatableArray<DiagnosticInfo>(items.ToArray());
    }
}
