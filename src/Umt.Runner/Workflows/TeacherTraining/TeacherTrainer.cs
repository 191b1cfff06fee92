using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Serilog;
using TorchSharp;
using TorchSharp.Modules;
using Umt.Models.Clip;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>What a teacher training run did.</summary>
/// <param name="Output">The weight file written, or null when the run was interrupted (nothing is written then).</param>
/// <param name="Vocab">The vocabulary file beside it.</param>
/// <param name="Steps">Steps done.</param>
/// <param name="Elapsed">Wall time of the loop.</param>
/// <param name="Loss">Mean loss of the last logging window.</param>
/// <param name="Accuracy">Mean in-batch accuracy of the last logging window.</param>
/// <param name="Temperature">Final temperature (1 / exp(logit_scale)).</param>
public sealed record TeacherTrainingResult(string? Output, string Vocab, int Steps, TimeSpan Elapsed, double Loss, double Accuracy, double Temperature)
{
    /// <summary>Mean wall time per step.</summary>
    public double SecondsPerStep => Steps == 0 ? 0 : Elapsed.TotalSeconds / Steps;
}

/// <summary>
/// Trains the tiny CLIP teacher: synthetic images and their captions, the symmetric contrastive
/// loss with soft targets over equal captions and a learnable temperature, AdamW with linear
/// warm-up and cosine decay. Seeded and deterministic: initialisation from <c>Seed</c>, the sample
/// order a pure function of (seed, epoch), images a pure function of their index. Each step runs
/// inside its own dispose scope, with finalizers held until its end (see <see cref="NativeGarbage"/>);
/// the model and the optimizer live outside it. Batches are read between steps on this thread
/// (a <see cref="BatchAssembler"/>).
/// </summary>
/// <param name="progress">Where the steps are shown.</param>
public sealed class TeacherTrainer(TeacherTrainingOptions options, PluginCatalog catalog, string baseDirectory, ILogger log, ProgressRenderer progress)
{
    /// <summary>The architecture the options describe, for a vocabulary of <paramref name="vocabSize"/> tokens.</summary>
    public static ClipModelConfig Architecture(TeacherTrainingOptions options, int vocabSize) => new(
        new ClipVisionConfig(options.VisionWidth, options.VisionLayers, options.VisionHeads, options.PatchSize, options.ImageSize / options.PatchSize, options.EmbedWidth),
        new ClipTextConfig(vocabSize, options.ContextLength, options.TextWidth, options.TextLayers, options.TextHeads, options.EmbedWidth));

    /// <summary>Runs every step, then writes the weights (unless <paramref name="cancel"/> stopped it early).</summary>
    public TeacherTrainingResult Run(CancellationToken cancel)
    {
        string output = Path.GetFullPath(options.Output, baseDirectory);
        string vocabPath = TinyClipWeights.VocabPathFor(output);
        if (options.Threads > 0)
        {
            torch.set_num_threads(options.Threads);
        }

        // The vocabulary is generated from the captions and written beside the weights first: the
        // weights are only meaningful with it.
        TinyClipVocabulary.Write(vocabPath);
        var tokenizer = CaptionTokenizer.Load(vocabPath, options.ContextLength);
        var config = Architecture(options, tokenizer.VocabSize);

        torch.manual_seed(options.Seed);
        using var model = new ClipModel(config);
        model.train();
        var (decay, noDecay) = ParameterGroups.Split(model.named_parameters().Select(p => (p.name, p.parameter)));
        var parameters = decay.Concat(noDecay).Select(p => p.Parameter).ToList();
        var schedule = new TrainingSchedule(options.Steps, options.WarmupSteps, Math.Max(1, options.Images / options.BatchSize),
            options.Lr, options.MinLr, options.BatchSize);
        var (beta1, beta2) = (options.Betas[0], options.Betas[1]);
        using var optimizer = optim.AdamW(
        [
            new AdamW.ParamGroup(decay.Select(p => p.Parameter), schedule.LearningRate(0), beta1, beta2, options.Eps, options.WeightDecay, false, false),
            new AdamW.ParamGroup(noDecay.Select(p => p.Parameter), schedule.LearningRate(0), beta1, beta2, options.Eps, 0.0, false, false),
        ], schedule.LearningRate(0), beta1, beta2, options.Eps, options.WeightDecay, false, false);

        using var dataset = SyntheticImages.Create(catalog, "train", options.Images, options.DataSeed, options.ImageSize, options.PatchSize, baseDirectory, log);
        using var batches = new BatchAssembler(dataset, options.Seed, options.BatchSize, default, options.DataWorkers,
            new SampleFailures(log, dataset.Info.Count, maxFraction: 0));
        var captionTokens = new Dictionary<string, TokenizedCaptions>(StringComparer.Ordinal);

        log.Information("Training the tiny CLIP teacher: {Steps} steps of {Batch} synthetic images ({Images} in all), image tower {VisionWidth}×{VisionLayers} patch {Patch} at {Size}², "
            + "text tower {TextWidth}×{TextLayers}, {Parameters:N0} parameters, {Threads} threads; output {Output}",
            options.Steps, options.BatchSize, options.Images, options.VisionWidth, options.VisionLayers, options.PatchSize, options.ImageSize,
            options.TextWidth, options.TextLayers, parameters.Sum(p => p.numel()), torch.get_num_threads(), output);

        var clock = Stopwatch.StartNew();
        using var counter = progress.Start("teacher train", options.Steps, "steps");
        var window = new List<(double Loss, double Accuracy)>();
        var last = (Loss: double.NaN, Accuracy: double.NaN);
        int step = 0;
        using var finalizers = NativeGarbage.HoldFinalizers();
        while (step < options.Steps && !cancel.IsCancellationRequested)
        {
            double lr = schedule.LearningRate(step);
            var batch = batches.Next();
            var (loss, accuracy) = Step(model, optimizer, parameters, batch, tokenizer, captionTokens, lr, step);
            NativeGarbage.CollectAfterStep();
            step++;
            counter.Report(step, string.Create(CultureInfo.InvariantCulture, $"loss {loss:F4}"));
            window.Add((loss, accuracy));
            if (step % options.LogEvery == 0 || step == options.Steps)
            {
                last = (window.Average(w => w.Loss), window.Average(w => w.Accuracy));
                log.Information("teacher step {Step}/{Steps}: loss {Loss:F4}, in-batch accuracy {Accuracy:F3}, temperature {Temperature:F4}, lr {Lr:G3}, {SecondsPerStep:F3} s/step",
                    step, options.Steps, last.Loss, last.Accuracy, Temperature(model), lr, clock.Elapsed.TotalSeconds / step);
                window.Clear();
            }
        }
        clock.Stop();

        if (step < options.Steps)
        {
            log.Warning("Interrupted after {Step} of {Steps} steps; {Output} was not written.", step, options.Steps, output);
            return new TeacherTrainingResult(null, vocabPath, step, clock.Elapsed, last.Loss, last.Accuracy, Temperature(model));
        }
        TinyClipWeights.Save(model, output, Path.GetFileName(vocabPath), JsonSerializer.Serialize(options));
        log.Information("Wrote {Output} ({Bytes:N0} bytes) and {Vocab}", output, new FileInfo(output).Length, vocabPath);
        return new TeacherTrainingResult(output, vocabPath, step, clock.Elapsed, last.Loss, last.Accuracy, Temperature(model));
    }

    /// <summary>One optimizer step on one batch; returns (loss, in-batch accuracy).</summary>
    private (double Loss, double Accuracy) Step(ClipModel model, AdamW optimizer, IReadOnlyList<Parameter> parameters, HostBatch batch,
        CaptionTokenizer tokenizer, Dictionary<string, TokenizedCaptions> captionTokens, double lr, int step)
    {
        using var scope = NewDisposeScope();
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        // 1. inputs: images, and each distinct caption of the batch once (a batch of 128 holds at most 72)
        int rows = batch.Indices.Length;
        var side = options.ImageSize;
        var images = tensor(batch.Pixels, [rows, 3, side, side]);                       // [B, 3, H, W]  (T = 1)
        var distinct = new List<string>();
        var captionIds = new long[rows];
        for (int i = 0; i < rows; i++)
        {
            string caption = batch.Samples[i].Caption ?? throw new InvalidDataException($"Synthetic image {batch.Indices[i]} has no caption.");
            int id = distinct.IndexOf(caption);
            captionIds[i] = id >= 0 ? id : distinct.Count;
            if (id < 0)
            {
                distinct.Add(caption);
            }
        }
        var tokens = distinct.Select(c => CachedTokens(c, tokenizer, captionTokens)).ToArray();
        var ids = tensor(tokens.SelectMany(t => t.Ids).ToArray(), [distinct.Count, tokenizer.ContextLength]); // [U, L]
        var positions = tensor(tokens.SelectMany(t => t.PoolPositions).ToArray());     // [U]
        var rowCaption = tensor(captionIds);                                            // [B]

        // 2. both towers; the text embedding of each row is its caption's
        var imageEmbeddings = model.EncodeImage(images);                                // [B, C]
        var textEmbeddings = model.EncodeText(ids, positions).index_select(0, rowCaption); // [B, C]

        // 3. loss, backward, AdamW; the temperature is clamped as OpenAI does (logits ≤ 100·cos)
        var result = ContrastiveLoss.Compute(imageEmbeddings, textEmbeddings, rowCaption, model.LogitScale);
        double loss = result.Loss.item<float>();
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException($"The teacher's contrastive loss became non-finite ({loss}) at step {step + 1}; lower Umt:TeacherTraining:Lr or set ClipGrad.");
        }
        result.Loss.backward();
        if (options.ClipGrad is { } maxNorm)
        {
            nn.utils.clip_grad_norm_(parameters, maxNorm);
        }
        optimizer.step();
        optimizer.zero_grad();
        using (no_grad())
        {
            model.LogitScale.clamp_(0, ClipModel.MaxLogitScale);
        }
        return (loss, result.Accuracy.item<float>());
    }

    private static TokenizedCaptions CachedTokens(string caption, CaptionTokenizer tokenizer, Dictionary<string, TokenizedCaptions> cache)
    {
        if (!cache.TryGetValue(caption, out var tokens))
        {
            tokens = tokenizer.Encode([caption]);
            cache.Add(caption, tokens);
        }
        return tokens;
    }

    private static double Temperature(ClipModel model) => 1 / Math.Exp(model.LogitScale.item<float>());
}
