using System;
using System.Collections.Generic;
using System.Threading;
using Ebpf.Generator.Model;
using Ebpf.Object;

namespace Ebpf.Generator.Parsing
{
    /// <summary>
    /// The parse step: base64 text -> <see cref="ObjectSpec"/> -> <see cref="SkeletonModel"/>. Never throws
    /// (except for cancellation): a malformed object becomes a diagnostic, and so does a bug here (EBPF099).
    /// </summary>
    internal static class ObjectParser
    {
        public static SkeletonModel Parse(ObjectItem item, CancellationToken cancellationToken) =>
            ParseObject(item, cancellationToken) with { IsInternal = string.Equals(item.Access, "internal", StringComparison.OrdinalIgnoreCase) };

        private static SkeletonModel ParseObject(ObjectItem item, CancellationToken cancellationToken)
        {
            var diagnostics = new DiagnosticSink(item.SourceFile.Length > 0 ? item.SourceFile : item.Path);
            var objectName = ObjectFileName(item.Path);
            var className = ClassName(item, diagnostics);
            var ns = Namespace(item, diagnostics);
            SkeletonModel Failed() => Empty(item, objectName, className, ns, diagnostics);

            if (item.Base64 is null)
            {
                diagnostics.Add(Diagnostics.UnreadableText, objectName, "the file could not be read");
                return Failed();
            }
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(item.Base64.Trim());
            }
            catch (FormatException e)
            {
                diagnostics.Add(Diagnostics.UnreadableText, objectName, e.Message);
                return Failed();
            }
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var spec = ObjectSpec.Parse(bytes);
                cancellationToken.ThrowIfCancellationRequested();
                return new ModelBuilder(item, objectName, className, ns, spec, diagnostics).Build();
            }
            catch (ObjectFormatException e)
            {
                diagnostics.Add(Diagnostics.MalformedObject, objectName, e.Message);
                return Failed();
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                diagnostics.Add(Diagnostics.InternalError, objectName, e.GetType().Name + ": " + e.Message);
                return Failed();
            }
        }

        private static SkeletonModel Empty(ObjectItem item, string objectName, string className, string ns, DiagnosticSink diagnostics) =>
            new SkeletonModel(ns, className, item.ResourceName, item.SourceFile, objectName, "MapSet", "ProgramSet",
                              EquatableArray<MapModel>.Empty, EquatableArray<ProgramModel>.Empty, EquatableArray<SectionModel>.Empty,
                              EquatableArray<TypeModel>.Empty, diagnostics.ToArray(), CanGenerate: false);

        /// <summary>"obj/Debug/bpf/xdp-proxy.bpf.o.b64" -> "xdp-proxy.bpf.o".</summary>
        internal static string ObjectFileName(string path)
        {
            var name = path.Substring(Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\')) + 1);
            return name.EndsWith(".b64", StringComparison.OrdinalIgnoreCase) ? name.Substring(0, name.Length - 4) : name;
        }

        private static string ClassName(ObjectItem item, DiagnosticSink diagnostics)
        {
            if (item.SkeletonName.Length == 0)
            {
                // The build task always sets it; derive the same default it would ("xdp-proxy.bpf.o" -> "XdpProxySkel").
                return SkeletonNames.FromFileName(ObjectFileName(item.Path));
            }
            var name = Identifiers.KeepIdentifierChars(item.SkeletonName);
            if (name.Length == 0 || name[0] == '@')
                name = "Skel" + name.TrimStart('@');
            if (name != item.SkeletonName)
                diagnostics.Add(Diagnostics.InvalidSkeletonName, "SkeletonName", item.SkeletonName, name);
            return name;
        }

        private static string Namespace(ObjectItem item, DiagnosticSink diagnostics)
        {
            var ns = Identifiers.ToNamespace(item.Namespace);
            // "@class" is fine in a namespace declaration but not after "global::" in the hint name; avoid keywords.
            var parts = ns.Split('.');
            for (var i = 0; i < parts.Length; i++)
                if (parts[i].StartsWith("@", StringComparison.Ordinal))
                    parts[i] = "_" + parts[i].Substring(1);
            ns = string.Join(".", parts);
            if (ns != item.Namespace)
                diagnostics.Add(Diagnostics.InvalidSkeletonName, "Namespace", item.Namespace, ns.Length == 0 ? "(global namespace)" : ns);
            return ns;
        }
    }
}
