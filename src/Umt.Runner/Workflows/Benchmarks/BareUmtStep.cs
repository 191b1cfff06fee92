using Serilog;
using TorchSharp;
using TorchSharp.Modules;
using Umt.Abstractions.Masking;
using Umt.Models.Alignment;
using Umt.Models.Clip;
using Umt.Models.Student;
using Umt.Plugins.Objectives.UmtAlignment;
using Umt.Plugins.Teachers.Clip;
using Umt.Plugins.Teachers.TinyClip;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>What <see cref="BareUmtStep"/> is built from, resolved from the run's configuration by the benchmark.</summary>
/// <param name="Student">The student's architecture, geometry and drop-path.</param>
/// <param name="TeacherWeights">Absolute path of the configured CLIP teacher's weight file (any layout <see cref="ClipVisionWeights"/> reads).</param>
/// <param name="TeacherHeads">Attention heads when the file's tower breaks OpenAI's width/64 rule; null: the rule.</param>
/// <param name="TeacherGridSide">Patches per side of a frame as the teacher sees it (its input resolution over its patch).</param>
/// <param name="TeacherBf16">Run the teacher in bfloat16, as the teacher's <c>Precision = bf16</c> does.</param>
/// <param name="AlignedLayers">K: the last K teacher blocks are aligned to the last K student blocks.</param>
/// <param name="Masking"><c>semantic</c>, <c>random</c> or <c>tube</c>.</param>
/// <param name="Ratio">Share of tokens hidden (per frame for semantic and tube, per clip for random).</param>
/// <param name="Lr">AdamW's rate; betas, eps and decay as configured.</param>
public sealed record BareUmtSetup(
    StudentConfig Student,
    string TeacherWeights,
    int? TeacherHeads,
    int TeacherGridSide,
    bool TeacherBf16,
    int AlignedLayers,
    string Masking,
    double Ratio,
    double Lr,
    double Beta1,
    double Beta2,
    double Eps,
    double WeightDecay);

/// <summary>
/// The benchmark's yardstick for UMT stage 1: the same step as the configured pipeline (frozen CLIP
/// teacher on every frame, semantic/random/tube mask, student on the visible tokens, alignment
/// heads, 2 − 2cos on the visible tokens of the last K layers, AdamW), written by hand in one
/// method with only Umt.Models and TorchSharp: no plugins, no keyed randomness (torch.rand), no
/// contexts. The configured step's time over this one is the cost of the plugin architecture.
/// </summary>
public sealed class BareUmtStep : IBareStep
{
    /// <summary>The configured pipeline this step reproduces, for the refusal <c>umt bench</c> prints.</summary>
    public const string Covers = "UMT stage 1 (Umt:Teacher:Use = clip or tiny-clip, Umt:Masking:Use = semantic, random or tube, umt-alignment as the only objective)";

    /// <summary>
    /// This step's setup when <paramref name="plan"/> is the pipeline it reproduces (<see cref="Covers"/>),
    /// read from the plan's typed options; null otherwise.
    /// </summary>
    public static BareUmtSetup? Supports(RunPlan plan, ILogger log)
    {
        (string? Weights, int? Heads, string Precision)? teacher = plan.Teacher?.Options switch
        {
            ClipTeacherOptions clip => (clip.Weights, clip.Heads, clip.Precision),
            TinyClipOptions tiny => (tiny.Weights, null, tiny.Precision),
            _ => null,
        };
        if (teacher is not { Weights: { } weights } t || BareMasking.Of(plan.Masking.Options) is not { } masking
            || plan.Objectives is not [{ Options: UmtAlignmentOptions }])
        {
            return null;
        }
        var o = plan.Optimizer;
        return new BareUmtSetup(
            Student: plan.StudentConfig,
            TeacherWeights: plan.PluginContext(log).ResolvePath(weights),
            TeacherHeads: t.Heads,
            TeacherGridSide: plan.TeacherTraits!.GridSide,
            TeacherBf16: TeacherPrecision.Resolve(t.Precision, plan.Device.type).Bf16,
            AlignedLayers: plan.TeacherLayers.Count,
            Masking: masking.Name,
            Ratio: masking.Ratio,
            Lr: plan.Schedule.PeakLr, Beta1: o.Betas[0], Beta2: o.Betas[1], Eps: o.Eps, WeightDecay: o.WeightDecay);
    }

    private readonly BareUmtSetup setup;
    private readonly ClipVisionTransformer teacher;
    private readonly Tensor teacherPositions;
    private readonly VideoVisionTransformer student;
    private readonly AlignmentHeads heads;
    private readonly AdamW optimizer;
    private readonly int[] teacherLayers;
    private readonly int[] studentBlocks;
    private readonly IStepPhaseRecorder? phases;

    /// <param name="phases">Phase boundaries, marked like the configured step's.</param>
    public BareUmtStep(BareUmtSetup setup, Device device, IStepPhaseRecorder? phases = null)
    {
        this.setup = setup;
        this.phases = phases;
        var config = setup.Student;
        int k = setup.AlignedLayers;

        // The configured teacher's tower and weights, frozen.
        var teacherConfig = ClipVisionConfig.Infer(ClipVisionWeights.ReadShapes(setup.TeacherWeights), setup.TeacherHeads);
        teacher = FrozenClipVision.Load(setup.TeacherWeights, teacherConfig, setup.TeacherBf16, device);
        using (no_grad())
        {
            // Resized once, not per step, as the configured teacher does.
            teacherPositions = teacher.PositionTable(setup.TeacherGridSide).detach().clone().DetachFromDisposeScope(); // [1 + P, Dt]
        }
        teacherLayers = Enumerable.Range(teacher.Config.Layers - k, k).ToArray();
        studentBlocks = Enumerable.Range(config.Depth - k, k).ToArray();

        student = new VideoVisionTransformer(config);
        student.to(device);
        heads = new AlignmentHeads(k, config.Width, teacher.Config.OutputWidth, config.ToSpec().Grid.Count);
        heads.to(device);
        student.train();
        heads.train();
        // Two groups as the runner's: no decay on 1-D tensors (biases, norms); position tables are not parameters here.
        var parameters = student.parameters().Concat(heads.parameters()).ToList();
        optimizer = optim.AdamW([
            new AdamW.ParamGroup(parameters.Where(p => p.dim() > 1), setup.Lr, setup.Beta1, setup.Beta2, setup.Eps, setup.WeightDecay, false, false),
            new AdamW.ParamGroup(parameters.Where(p => p.dim() <= 1), setup.Lr, setup.Beta1, setup.Beta2, setup.Eps, 0.0, false, false)],
            setup.Lr, setup.Beta1, setup.Beta2, setup.Eps, setup.WeightDecay, false, false);
    }

    /// <summary>The student (tests copy the configured one's weights in).</summary>
    public VideoVisionTransformer Student => student;

    /// <summary>The alignment heads (tests copy the configured ones' weights in).</summary>
    public AlignmentHeads Heads => heads;

    /// <summary>The teacher tower (the benchmark counts its FLOPs).</summary>
    public ClipVisionTransformer Teacher => teacher;

    public double Run(Tensor video) => Run(video, fixedMask: null);

    /// <summary>One optimizer step; returns the loss before the update.</summary>
    /// <param name="video">Clips <c>[B, 3, T, H, W]</c> on the device.</param>
    /// <param name="fixedMask">Bool <c>[B, N]</c> (true = hidden) to use instead of drawing one, so a test can compare losses with the configured step.</param>
    public double Run(Tensor video, Tensor? fixedMask)
    {
        phases?.StepStarted();
        using var scope = NewDisposeScope();
        var config = student.Config;
        var grid = config.ToSpec().Grid;
        long b = video.shape[0], frames = video.shape[2], side = video.shape[3];
        long k = setup.AlignedLayers, patches = grid.PerSlot;
        bool semantic = setup.Masking == "semantic";

        // 1. teacher on every frame (no grad): targets of the last K blocks, CLS attention for semantic masking
        Tensor targets;
        Tensor? attention;
        using (no_grad())
        {
            var images = video.permute(0, 2, 1, 3, 4).reshape(b * frames, 3, side, side);                    // [B·T, 3, H, W]  row b·T + t
            long resolution = (long)setup.TeacherGridSide * teacher.Config.PatchSize;
            if (side != resolution)
            {
                images = nn.functional.interpolate(images, [resolution, resolution], mode: InterpolationMode.Bicubic, align_corners: false); // [B·T, 3, R, R]
            }
            var output = teacher.Encode(images, teacherLayers, semantic, teacherPositions);                  // [K, B·T, Pt, Dt], [B·T, Pt]
            var projected = teacher.Project(output.Layers).to(ScalarType.Float32);                          // [K, B·T, Pt, C]
            var normalised = nn.functional.normalize(projected, p: 2, dim: -1);                             // [K, B·T, Pt, C]
            targets = normalised.reshape(k, b, -1, normalised.shape[3]);                                    // [K, B, N, C]  t-major tokens
            attention = output.ClsAttention;                                                                 // [B·T, Pt], or null unless semantic
        }
        phases?.PhaseEnded(StepPhase.TeacherForward);

        // 2. mask [B, N], true = hidden, and its visible / hidden positions (the visible count known on the host)
        TokenSelection selection;
        if (fixedMask is not null)
        {
            selection = TokenSelection.FromMask(fixedMask);                                                  // [B, N]  counted once: a test's mask
        }
        else if (semantic)
        {
            // Gumbel-top-k: the Nv best of log(attention) + Gumbel are a weighted draw without replacement per frame.
            int visiblePerFrame = (int)(patches - (long)(setup.Ratio * patches));
            var logWeights = attention!.reshape(b, grid.T, patches).log();                                     // [B, T, P]  −∞ for zero attention: drawn last
            var uniform = rand([b, grid.T, patches], device: video.device).clamp(1e-20, 1 - 1e-7);           // [B, T, P]  inside (0, 1)
            var scores = logWeights - uniform.log().neg().log();                                             // [B, T, P]  log w + Gumbel
            var keep = scores.topk(visiblePerFrame, dim: -1).indexes;                                        // [B, T, Nv/T]
            var mask = ones([b, grid.T, patches], ScalarType.Bool, video.device)
                .scatter(-1, keep, zeros_like(keep, ScalarType.Bool)).view(b, grid.Count);                   // [B, N]
            selection = TokenSelection.FromMask(mask, grid.T * visiblePerFrame);
        }
        else if (setup.Masking == "tube")
        {
            var rank = rand(b, patches, device: video.device).argsort(1).argsort(1);                         // [B, P]
            long hidden = (long)(setup.Ratio * patches);
            var mask = (rank < hidden).repeat(1, grid.T);                                                    // [B, N]  the same patches in every slot
            selection = TokenSelection.FromMask(mask, grid.T * (patches - hidden));
        }
        else
        {
            var rank = rand(b, grid.Count, device: video.device).argsort(1).argsort(1);                      // [B, N]
            long hidden = (long)(setup.Ratio * grid.Count);
            selection = TokenSelection.FromMask(rank < hidden, grid.Count - hidden);                         // [B, N]
        }
        phases?.PhaseEnded(StepPhase.Masking);

        // 3. student on the visible tokens, with per-sample drop-path as in training
        var dropPath = config.DropPath > 0 ? rand([b, config.Depth, 2], device: video.device) : null;         // [B, depth, 2]
        var blocks = student.ForwardVisible(video, selection, studentBlocks, dropPath);                            // block → [B, Nv, D]
        phases?.PhaseEnded(StepPhase.StudentForward);

        // 4. heads on the last K blocks, 2 − 2cos against the teacher's visible tokens
        var predictions = heads.Forward(studentBlocks.Select(i => blocks[i]).ToList(), selection);            // [K, B, Nv, C]
        var visibleTargets = selection.Visible(targets);                                                      // [K, B, Nv, C]  ascending tokens per clip
        var loss = (2 - 2 * (predictions * visibleTargets).sum(-1)).mean();                                  // []
        phases?.PhaseEnded(StepPhase.ObjectivesForward);

        return BareStepTail.BackwardAndStep(loss, optimizer, phases);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        heads.Dispose();
        student.Dispose();
        teacherPositions.Dispose();
        teacher.Dispose();
    }
}
