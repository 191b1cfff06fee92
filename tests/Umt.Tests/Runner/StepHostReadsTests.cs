using System.Text.RegularExpressions;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Runner;

/// <summary>
/// Issue 17 item 3: no host synchronisation inside a training step. Every call that copies a tensor
/// to the host (or, for a boolean index, counts it there) waits for the device to drain; the step
/// reads the device once, its losses with its gradient norm (<c>LossSums.ReadWith</c>). This scans
/// the code a step runs (the runner's step, the abstractions, the models, the masking, objective,
/// teacher and text-encoder plugins) for such calls and holds each file to the reads listed here
/// with the reason they are not in the step; a new read in the step's path fails the test.
/// </summary>
/// <remarks>
/// A source scan, not a counting wrapper: TorchSharp offers no hook on its host copies (item, data,
/// cpu are direct native calls) and no sync-debug mode. The patterns are the ways this code base
/// reads a tensor back; an implicit read the patterns miss (a tensor in a C# bool context) does not
/// compile in TorchSharp, which has no implicit conversion to bool.
/// </remarks>
public sealed class StepHostReadsTests
{
    private static readonly string[] Roots =
    [
        "src/Umt.Runner/Engine/Step", "src/Umt.Abstractions", "src/Umt.Models", "src/Umt.Plugins.Masking",
        "src/Umt.Plugins.Objectives", "src/Umt.Plugins.Teachers", "src/Umt.Plugins.TextEncoders",
    ];

    /// <summary>Host copies (item, data, cpu, to the CPU, scalar conversions) and data-dependent selections (boolean index, nonzero, masked_select).</summary>
    private static readonly Regex HostRead = new(
        @"\.item<|\.data<|\.cpu\(\)|\.to\([^;]*\bCPU\)|(?<!==\s*)DeviceType\.CPU|\.To(Single|Double|Int32|Int64|Boolean|Scalar)\(\)|TensorIndex\.Tensor\(|\.nonzero\(|masked_select\(|clip_grad_norm_\(|\.tolist\(",
        RegexOptions.Compiled);

    /// <summary>Reads allowed per file (matches, not lines), each with why it is not a read inside the step.</summary>
    private static readonly Dictionary<string, (int Reads, string Why)> Allowed = new()
    {
        ["src/Umt.Runner/Engine/Step/LossSums.cs"] = (2, "the step's one read: losses and gradient norm together, before the update (docs/DECISIONS.md 2026-12-05)"),
        ["src/Umt.Runner/Engine/Step/OptimizationStep.cs"] = (1, "data-parallel loss averaging reads a tensor built on the host from host doubles: no device read"),
        ["src/Umt.Runner/Engine/Step/FiniteValues.cs"] = (3, "only after a failed check (naming the non-finite tensors) or at checkpoint time"),
        ["src/Umt.Abstractions/Masking/TokenSelection.cs"] = (3, "Verify: once per masking on the step's first batch; FromMask(mask) without a count: evaluation and tests"),
        ["src/Umt.Models/Clip/ClipTextTransformer.cs"] = (2, "an int64 gather index (EOT pooling), not a boolean one: no sync; the text tower is not in the training step"),
        ["src/Umt.Models/Layers/TruncatedNormal.cs"] = (1, "initialisation, not the step"),
        ["src/Umt.Models/Detection/RoiAlign.cs"] = (2, "the boxes are read (one copy, two patterns on its line) to build the sampling weights; no training step runs it yet (issue 22's detection fine-tuning: give it the host's boxes)"),
        ["src/Umt.Models/Weights/SafetensorsFile.cs"] = (1, "weight file writing"),
        ["src/Umt.Models/Weights/PyTorch/PyTorchCheckpointWriter.cs"] = (1, "checkpoint export"),
        ["src/Umt.Plugins.Objectives/Mlm/MlmObjective.cs"] = (1, "nonzero on the host's labels (a CPU tensor made from the host's token ids): the selected positions are known without a device read"),
    };

    [Fact]
    public void The_training_step_path_reads_the_device_only_where_the_allow_list_says()
    {
        var found = Scan();
        var unexpected = found
            .GroupBy(r => r.File)
            .Where(g => g.Count() != (Allowed.TryGetValue(g.Key, out var allowed) ? allowed.Reads : 0))
            .SelectMany(g => g.Select(r => $"{r.File}:{r.Line}: {r.Text} (allowed in this file: {(Allowed.TryGetValue(g.Key, out var a) ? a.Reads : 0)})"))
            .ToList();
        unexpected.Should().BeEmpty("a host read inside the training step waits for the device; turn it into device work, or read at logging cadence");
        Allowed.Keys.Where(file => !found.Any(r => r.File == file)).Should().BeEmpty("an allow-list entry without reads is stale");
    }

    [Fact]
    public void The_scan_finds_the_reads_it_looks_for()
    {
        string[] reads =
        [
            "var x = loss.item<float>();", "var a = t.data<float>().ToArray();", "var c = t.cpu();", "var d = t.to(ScalarType.Float64, CPU);",
            "var e = t.ToSingle();", "var f = tokens[TensorIndex.Tensor(mask)];", "var g = mask.nonzero();",
        ];
        reads.Should().OnlyContain(line => HostRead.IsMatch(line));
        HostRead.IsMatch(CodeOf("var y = tokens.gather(-2, index); // [B, Nv, C] picks .item< in a comment")).Should().BeFalse("comments are stripped before matching");
    }

    private static List<(string File, int Line, string Text)> Scan()
    {
        var reads = new List<(string, int, string)>();
        foreach (var root in Roots)
        {
            var folder = Path.Combine(RepositoryPaths.Root, root);
            foreach (var path in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/');
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
                {
                    continue;
                }
                var lines = File.ReadAllLines(path);
                for (int i = 0; i < lines.Length; i++)
                {
                    var code = CodeOf(lines[i]);
                    reads.AddRange(HostRead.Matches(code).Select(_ => (relative, i + 1, lines[i].Trim())));
                }
            }
        }
        return reads;
    }

    /// <summary>The line without its <c>//</c> comment (this code base puts no <c>//</c> inside string literals on such lines).</summary>
    private static string CodeOf(string line)
    {
        int comment = line.IndexOf("//", StringComparison.Ordinal);
        return comment < 0 ? line : line[..comment];
    }
}
