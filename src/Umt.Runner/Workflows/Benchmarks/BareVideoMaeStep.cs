using TorchSharp;
using TorchSharp.Modules;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Masking;
using Umt.Models.Decoders;
using Umt.Models.Student;
using Umt.Plugins.Objectives.MaePixels;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>What the hand-written VideoMAE step takes from the configured pipeline.</summary>
public sealed record BareVideoMaeSetup(BareMasking Masking, int DecoderWidth, int DecoderDepth, int DecoderHeads);

/// <summary>
/// The benchmark's yardstick: the same VideoMAE step as the configured pipeline (mask, student on
/// the visible tokens, decoder, normalised-pixel MSE, AdamW), written by hand in one method with
/// only Umt.Models and TorchSharp: no plugins, no keyed randomness, no contexts. The configured
/// step's time over this one is the cost of the plugin architecture.
/// </summary>
public sealed class BareVideoMaeStep : IBareStep
{
    /// <summary>The configured pipeline this step reproduces, for the refusal <c>umt bench</c> prints.</summary>
    public const string Covers = "VideoMAE (Umt:Teacher:Use = none, Umt:Masking:Use = tube or random, mae-pixels as the only objective)";

    private readonly VideoVisionTransformer student;
    private readonly VideoMaeDecoder decoder;
    private readonly AdamW optimizer;
    private readonly int hiddenPerSlot;
    private readonly bool tube;
    private readonly int hiddenPerClip;
    private readonly IStepPhaseRecorder? phases;

    /// <summary>This step's setup when <paramref name="plan"/> is the pipeline it reproduces (<see cref="Covers"/>); null otherwise.</summary>
    public static BareVideoMaeSetup? Supports(RunPlan plan) =>
        plan.Teacher is null && BareMasking.Of(plan.Masking.Options) is { Name: "tube" or "random" } masking
            && plan.Objectives is [{ Options: MaePixelsOptions mae }]
            ? new BareVideoMaeSetup(masking, mae.DecoderWidth, mae.DecoderDepth, mae.DecoderHeads)
            : null;

    /// <param name="tubeMasking">Tube masking (one spatial mask for all slots) or random masking over all tokens.</param>
    /// <param name="phases">Phase boundaries, marked like the configured step's (no teacher: its phase is empty).</param>
    public BareVideoMaeStep(StudentConfig config, int decoderWidth, int decoderDepth, int decoderHeads, bool tubeMasking, double ratio, Device device, IStepPhaseRecorder? phases = null)
    {
        this.phases = phases;
        var spec = config.ToSpec();
        student = new VideoVisionTransformer(config);
        student.to(device);
        decoder = new VideoMaeDecoder(config.Width, decoderWidth, decoderDepth, decoderHeads, spec.Grid.Count, spec.PixelsPerToken);
        decoder.to(device);
        var parameters = student.parameters().Concat(decoder.parameters()).ToList();
        optimizer = optim.AdamW([
            new AdamW.ParamGroup(parameters.Where(p => p.dim() > 1), 1e-4, 0.9, 0.95, 1e-8, 0.05, false, false),
            new AdamW.ParamGroup(parameters.Where(p => p.dim() <= 1), 1e-4, 0.9, 0.95, 1e-8, 0.0, false, false)],
            1e-4, 0.9, 0.95, 1e-8, 0.05, false, false);
        tube = tubeMasking;
        hiddenPerSlot = (int)(ratio * spec.Grid.PerSlot);
        hiddenPerClip = (int)(ratio * spec.Grid.Count);
    }

    /// <summary>One optimizer step on <paramref name="video"/> <c>[B, 3, T, H, W]</c>; returns the loss.</summary>
    public double Run(Tensor video)
    {
        phases?.StepStarted();
        using var scope = NewDisposeScope();
        var config = student.Config;
        var grid = config.ToSpec().Grid;
        long b = video.shape[0];
        long p = config.PatchSize, u = config.Tubelet;
        phases?.PhaseEnded(StepPhase.TeacherForward); // none in VideoMAE

        // mask [B, N], true = hidden, and its visible / hidden positions (the visible count known on the host)
        TokenSelection selection;
        if (tube)
        {
            var rank = rand(b, grid.PerSlot, device: video.device).argsort(1).argsort(1);   // [B, P]
            var mask = (rank < hiddenPerSlot).unsqueeze(1).expand(-1, grid.T, -1).reshape(b, grid.Count); // [B, N]
            selection = TokenSelection.FromMask(mask, grid.T * (grid.PerSlot - hiddenPerSlot));
        }
        else
        {
            var mask = rand(b, grid.Count, device: video.device).argsort(1).argsort(1) < hiddenPerClip; // [B, N]
            selection = TokenSelection.FromMask(mask, grid.Count - hiddenPerClip);
        }
        phases?.PhaseEnded(StepPhase.Masking);

        // student (with per-sample drop-path, as in training) + decoder
        var dropPath = config.DropPath > 0 ? rand([b, config.Depth, 2], device: video.device) : null;  // [B, depth, 2]
        var visible = student.ForwardVisible(video, selection, [config.Depth - 1], dropPath)[config.Depth - 1]; // [B, Nv, D]
        phases?.PhaseEnded(StepPhase.StudentForward);
        var prediction = decoder.call(visible, selection);                                                 // [B, Nm, 3·u·p²]

        // normalised pixel targets of the hidden tokens
        Tensor target;
        using (no_grad())
        {
            var mean = tensor(ImageNetNormalization.Mean, device: video.device).view(1, 3, 1, 1, 1);
            var std = tensor(ImageNetNormalization.Std, device: video.device).view(1, 3, 1, 1, 1);
            var pixels = video * std + mean;                                                            // [B, 3, T, H, W]
            var cubes = pixels.view(b, 3, grid.T, u, grid.H, p, grid.W, p)
                .permute(0, 2, 4, 6, 3, 5, 7, 1).reshape(b, grid.Count, u * p * p, 3);                 // [B, N, u·p², 3]
            var normalised = (cubes - cubes.mean([2], keepdim: true)) / (cubes.var(2, unbiased: true, keepdim: true).sqrt() + 1e-6);
            var flat = normalised.reshape(b, grid.Count, -1);                                            // [B, N, 3·u·p²]
            target = selection.Hidden(flat);                                                             // [B, Nm, 3·u·p²]
        }
        var loss = target.shape[1] == 0 ? prediction.sum() * 0 : nn.functional.mse_loss(prediction, target);
        phases?.PhaseEnded(StepPhase.ObjectivesForward);

        return BareStepTail.BackwardAndStep(loss, optimizer, phases);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        decoder.Dispose();
        student.Dispose();
    }
}
