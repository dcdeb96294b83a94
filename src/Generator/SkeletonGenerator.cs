using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Ebpf.Generator.Emitting;
using Ebpf.Generator.Model;
using Ebpf.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Ebpf.Generator
{
    /// <summary>
    /// Generates a typed skeleton class for every BPF object the Ebpf.Build targets hand over as an
    /// AdditionalFile (docs/build-contract.md). Pipeline: additional texts + options -> <see cref="ObjectItem"/>
    /// (filtered on EbpfObject=true) -> <see cref="SkeletonModel"/> (parse) -> source (emit). The items and
    /// models are value-equatable, so edits to C# code leave every step cached.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class SkeletonGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline's steps (tests check their run reasons).</summary>
        public static class Steps
        {
            public const string Items = "EbpfObjectItems";
            public const string Models = "EbpfSkeletonModels";
            public const string AllModels = "EbpfAllSkeletonModels";
        }

        private const string MetadataPrefix = "build_metadata.AdditionalFiles.";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var items = context.AdditionalTextsProvider
                .Combine(context.AnalyzerConfigOptionsProvider)
                .Select(static (pair, ct) => ToItem(pair.Left, pair.Right, ct))
                .Where(static item => item is not null)
                .WithTrackingName(Steps.Items);

            var models = items
                .Select(static (item, ct) => ObjectParser.Parse(item!, ct))
                .WithTrackingName(Steps.Models);

            // Collected so that two objects claiming the same skeleton name get a diagnostic instead of a
            // duplicate hint name (which would make AddSource throw).
            var all = models.Collect().WithTrackingName(Steps.AllModels);
            context.RegisterSourceOutput(all, static (spc, list) => Emit(spc, list));
        }

        private static ObjectItem? ToItem(AdditionalText text, AnalyzerConfigOptionsProvider provider, CancellationToken ct)
        {
            var options = provider.GetOptions(text);
            if (!options.TryGetValue(MetadataPrefix + "EbpfObject", out var flag) ||
                !string.Equals(flag.Trim(), "true", StringComparison.OrdinalIgnoreCase))
                return null;
            string Get(string key) => options.TryGetValue(MetadataPrefix + key, out var value) ? value.Trim() : "";
            var ns = Get("EbpfNamespace");
            if (ns.Length == 0 && provider.GlobalOptions.TryGetValue("build_property.RootNamespace", out var root))
                ns = root.Trim();
            var content = text.GetText(ct)?.ToString();
            return new ObjectItem(text.Path, content, Get("EbpfSkeletonName"), ns, Get("EbpfResourceName"), Get("EbpfSourceFile"), Get("EbpfTypes"), Get("EbpfAccess"));
        }

        private static void Emit(SourceProductionContext context, ImmutableArray<SkeletonModel> models)
        {
            var seen = new Dictionary<string, SkeletonModel>(StringComparer.OrdinalIgnoreCase);
            foreach (var model in models)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                foreach (var d in model.Diagnostics)
                    context.ReportDiagnostic(ToDiagnostic(d));
                if (!model.CanGenerate)
                    continue;
                if (seen.TryGetValue(model.HintName, out var first))
                {
                    context.ReportDiagnostic(ToDiagnostic(new DiagnosticInfo(Diagnostics.DuplicateSkeleton.Id,
                        new EquatableArray<string>(new[] { model.QualifiedClassName.Substring("global::".Length), first.ObjectFileName, model.ObjectFileName }),
                        model.SourceFile)));
                    continue;
                }
                seen.Add(model.HintName, model);
                string source;
                try
                {
                    source = SkeletonEmitter.Emit(model);
                }
                catch (Exception e) when (!(e is OperationCanceledException))
                {
                    context.ReportDiagnostic(ToDiagnostic(new DiagnosticInfo(Diagnostics.InternalError.Id,
                        new EquatableArray<string>(new[] { model.ObjectFileName, e.GetType().Name + ": " + e.Message }), model.SourceFile)));
                    continue;
                }
                context.AddSource(model.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
            }
        }

        internal static Diagnostic ToDiagnostic(DiagnosticInfo info)
        {
            var location = info.FilePath.Length == 0
                ? Location.None
                : Location.Create(info.FilePath, default(TextSpan), default(LinePositionSpan));
            var args = new object[info.Arguments.Count];
            for (var i = 0; i < args.Length; i++)
                args[i] = info.Arguments[i];
            return Diagnostic.Create(Diagnostics.ById(info.Id), location, args);
        }
    }
}
