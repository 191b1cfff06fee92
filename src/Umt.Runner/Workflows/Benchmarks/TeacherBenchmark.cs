using System.Diagnostics;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Teachers;
using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Plugins.Teachers.Clip;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>One tower's fp32 and bf16 forward, timed alternately, and how far bf16 moves its outputs.</summary>
/// <param name="Tower">What was measured (the weights, or that they are random).</param>
/// <param name="Images">Frames per forward (B·T, folded into the batch as the teacher does).</param>
/// <param name="Resolution">Side of the frames.</param>
/// <param name="Layers">K, the last blocks returned.</param>
/// <param name="Fp32Ms">Median fp32 forward (frames in, normalised targets and CLS attention out).</param>
/// <param name="Bf16Ms">Median bf16 forward.</param>
/// <param name="Ratio">fp32 / bf16.</param>
/// <param name="MeanCosine">Mean cosine between the fp32 and bf16 targets over layers, frames and tokens.</param>
/// <param name="MinCosine">The lowest of those cosines.</param>
/// <param name="MaskAgreement">Share of token decisions (hidden or visible) that agree between the semantic masks drawn from each attention with the same Gumbel noise.</param>
/// <param name="Gflop">FLOPs of one forward (<see cref="StepFlops.TeacherForward"/>).</param>
/// <param name="GemmBoundBf16Ms">Those FLOPs at the measured bf16 GEMM rate: the forward if only matmuls cost.</param>
public sealed record TeacherBenchTower(string Tower, int Images, int Resolution, int Layers, double Fp32Ms, double Bf16Ms, double Ratio,
    double MeanCosine, double MinCosine, double MaskAgreement, double Gflop, double GemmBoundBf16Ms);

/// <summary>What <c>umt bench teacher</c> reports.</summary>
/// <param name="Auto">What <c>Precision = auto</c> resolves to on this machine, and why.</param>
public sealed record TeacherBenchResult(string Auto, int Threads, double Fp32GemmGflops, double Bf16GemmGflops, IReadOnlyList<TeacherBenchTower> Towers);

/// <summary>
/// <c>umt bench teacher</c>: the <c>clip</c> teacher plugin built twice from one weight file,
/// <c>Precision = fp32</c> and <c>bf16</c>, on the same clips: forward time of each (alternating
/// call by call so machine noise hits both alike), the cosine of their targets and the agreement
/// of the semantic masks their CLS attentions give (mask ratio 0.8, the same Gumbel noise).
/// </summary>
/// <param name="teachers">The <c>clip</c> teacher's factory.</param>
/// <param name="context">The run's plugin context (device, log).</param>
public sealed class TeacherBenchmark(ITeacherFactory teachers, PluginContext context)
{
    private const double MaskRatio = 0.8;

    /// <summary>Measures the tiny teacher and a CLIP-B/16 tower.</summary>
    /// <param name="tinyWeights">The shipped tiny teacher.</param>
    /// <param name="b16Weights">CLIP-B/16 weights in any layout; null: a randomly initialised B/16 (OpenAI's init, seed 0) written to a temporary file.</param>
    /// <param name="rounds">Timed forwards of each precision per tower, after one warm-up each.</param>
    public TeacherBenchResult Run(string tinyWeights, string? b16Weights, int rounds)
    {
        var auto = TeacherPrecision.Resolve("auto", context.Device.type);
        double fp32Gemm = GemmProbe.Gflops(context.Device);
        double bf16Gemm = GemmProbe.Gflops(context.Device, dtype: ScalarType.BFloat16);
        var towers = new List<TeacherBenchTower>
        {
            // The default UMT job's teacher input: 16 clips of 8 frames at 64², K = 3.
            Measure($"tiny-clip ({tinyWeights})", tinyWeights, "custom", clips: 16, frames: 8, resolution: 64, layers: 3, rounds, bf16Gemm),
        };
        string? randomB16 = null;
        try
        {
            if (b16Weights is null)
            {
                randomB16 = Path.Combine(Path.GetTempPath(), $"umt-bench-random-b16-{Environment.ProcessId}.safetensors");
                manual_seed(0);
                using var visual = new ClipVisionTransformer(ClipVisionConfig.B16);
                SafetensorsFile.WriteAtomic(randomB16, visual.state_dict().ToDictionary(kv => "visual." + kv.Key, kv => kv.Value),
                    new Dictionary<string, string> { ["umt.note"] = "randomly initialised CLIP-B/16 (umt bench teacher)" });
            }
            string name = b16Weights is null ? "CLIP-B/16, random weights (no --b16-weights given; real CLIP has activation outliers this does not)" : $"CLIP-B/16 ({b16Weights})";
            // The small-224 UMT step's teacher input (torchsharp-notes.md): 2 clips of 8 frames at 224², K = 6.
            towers.Add(Measure(name, b16Weights ?? randomB16!, "b16", clips: 2, frames: 8, resolution: 224, layers: 6, rounds, bf16Gemm));
        }
        finally
        {
            if (randomB16 is not null)
            {
                File.Delete(randomB16);
            }
        }
        return new TeacherBenchResult($"{(auto.Bf16 ? "bf16" : "fp32")} ({auto.Reason})", get_num_threads(), fp32Gemm, bf16Gemm, towers);
    }

    private TeacherBenchTower Measure(string tower, string weights, string preset, int clips, int frames, int resolution, int layers, int rounds, double bf16Gemm)
    {
        ClipTeacherOptions Options(string precision) => new() { Preset = preset, Weights = weights, InputResolution = resolution, Precision = precision };
        var traits = teachers.Describe(Options("fp32"), context);
        using var fp32 = teachers.Create(Options("fp32"), context);
        using var bf16 = teachers.Create(Options("bf16"), context);
        int[] returned = Enumerable.Range(traits.Depth - layers, layers).ToArray();

        using var scope = NewDisposeScope();
        var generator = new Generator(0, context.Device);
        // Smooth random frames (an 8×8 field upsampled), nearer to images than white noise.
        var coarse = randn([clips * frames, 3, 8, 8], generator: generator, device: context.Device);                       // [B·T, 3, 8, 8]
        var video = nn.functional.interpolate(coarse, [resolution, resolution], mode: InterpolationMode.Bilinear, align_corners: false) // [B·T, 3, R, R]
            .reshape(clips, frames, 3, resolution, resolution).permute(0, 2, 1, 3, 4).contiguous();                          // [B, 3, T, R, R]

        var fp32Ms = new List<double>();
        var bf16Ms = new List<double>();
        for (int i = 0; i <= rounds; i++)
        {
            double a = Time(fp32, video, returned), b = Time(bf16, video, returned);
            if (i > 0)
            {
                fp32Ms.Add(a);
                bf16Ms.Add(b);
            }
        }

        using var noGrad = no_grad();
        var reference = fp32.Encode(video, returned, withAttention: true);
        var half = bf16.Encode(video, returned, withAttention: true);
        var cosine = (reference.Features * half.Features).sum(-1);                                                         // [K, B, N]  both L2-normalised
        var noise = rand(reference.Attention!.shape, generator: generator, device: context.Device).clamp(1e-20, 1 - 1e-7); // [B·T, P]
        double agreement = SemanticMask(reference.Attention!, noise).eq(SemanticMask(half.Attention!, noise)).to(ScalarType.Float32).mean().item<float>();

        long images = (long)clips * frames, width = traits.OutputWidth;
        var config = ClipVisionConfig.Infer(ClipVisionWeights.ReadShapes(weights));
        long patches = (long)(resolution / config.PatchSize) * (resolution / config.PatchSize);
        long blockParameters = config.Layers * (12L * config.Width * config.Width + 13L * config.Width);
        double flops = StepFlops.TeacherForward(images, new StepFlops.Stack(blockParameters, config.Layers, config.Width),
            3L * config.PatchSize * config.PatchSize * config.Width, patches, config.Width * width, layers);
        double fp32Median = Median(fp32Ms), bf16Median = Median(bf16Ms);
        return new TeacherBenchTower(tower, (int)images, resolution, layers, fp32Median, bf16Median, fp32Median / bf16Median,
            cosine.mean().item<float>(), cosine.min().item<float>(), agreement, flops / 1e9, flops / (bf16Gemm * 1e9) * 1e3);
    }

    /// <summary>One teacher forward as the training step calls it, to the last value.</summary>
    private static double Time(ITeacher teacher, Tensor video, int[] layers)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var output = teacher.Encode(video, layers, withAttention: true);
        output.Features[0, 0, 0, 0].item<float>(); // completes asynchronous devices
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// The semantic mask (true = hidden) the attention gives with this noise: per frame the
    /// P − int(0.8·P) tokens of highest log attention + Gumbel stay visible (Gumbel-top-k, as
    /// the <c>semantic</c> masking plugin draws).
    /// </summary>
    private static Tensor SemanticMask(Tensor attention, Tensor uniform)
    {
        long patches = attention.shape[1];
        var scores = attention.log() - uniform.log().neg().log();                                 // [B·T, P]
        var keep = scores.topk((int)(patches - (long)(MaskRatio * patches)), dim: -1).indexes;    // [B·T, Pv]
        return ones_like(attention, ScalarType.Bool).scatter(-1, keep, zeros_like(keep, ScalarType.Bool)); // [B·T, P]
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
