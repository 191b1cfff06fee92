using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Runner.Cli;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Step;
using Umt.Runner.Engine.Training;
using Umt.Runner.Workflows.Finetuning;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>
/// A step of <c>umt finetune --task retrieval</c> (configs/umt-stage2.json with the fine-tune's own
/// overlays: no teacher, a mask that hides nothing, vtc + vtm), against the reference's
/// multi_modality/models/umt.py <c>encode_vision</c> without a teacher: no mask, so
/// <c>keep_temporal</c> holds and the vision encoder pools each frame
/// (<c>pool_norm(x.view(B, T, -1, C).mean(2))</c>), and criterions.py <c>get_sim</c> averages the
/// per-frame cosines.
/// </summary>
public sealed class Stage2RetrievalStepTests : IDisposable
{
    private readonly TemporaryDirectory temp = new();

    [Fact]
    public void A_retrieval_finetuning_steps_vtc_equals_a_float64_per_frame_computation()
    {
        using var services = Services();
        var (plan, log) = (services.GetRequiredService<RunPlan>(), services.GetRequiredService<ILogger>());
        plan.Teacher.Should().BeNull("the retrieval fine-tune runs without a teacher");
        using var model = TrainingModel.Create(plan, log);
        foreach (var (_, module) in model.TrainedModules())
        {
            module.eval(); // no dropout in the text encoder: the float64 recomputation must see the same network
        }
        using var optimization = new OptimizationStep(model, plan);
        var host = FirstBatch(plan, log);

        using var scope = NewDisposeScope();
        var batch = optimization.ToDevice(host, step: 0);
        double vtc = new TrainingStep(model, plan).Forward(batch).PerObjective["vtc"].item<float>();

        // The reference's inputs: every token of the last block (the mask hides nothing), the captions' [CLS] states.
        var grid = plan.Student.Grid;
        int depth = plan.Student.Depth;
        var nothingHidden = zeros([batch.Video.shape[0], grid.Count], ScalarType.Bool);
        var tokens = model.Student.ForwardVisible(batch.Video, nothingHidden, plan.StudentBlocks, null)[depth - 1]; // [B, N, D]
        var encoder = model.TextEncoder!;
        var captions = batch.Samples.Select(s => s.Caption!).ToArray();
        var cls = encoder.EncodeText(encoder.Tokenizer.Encode(captions, plan.Device)).select(1, 0);                    // [B, W]
        var heads = model.VisionLanguage!.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(ScalarType.Float64));
        var text = Project(cls.to(ScalarType.Float64), heads["text_proj.weight"], heads["text_proj.bias"]);          // [B, E]
        double temperature = heads["temp"].item<double>();

        var perFrame = tokens.to(ScalarType.Float64).view(tokens.shape[0], grid.T, -1, tokens.shape[2]).mean([2]);  // [B, T, D]
        double expected = Vtc(Vision(perFrame, heads), text, captions, temperature);
        var pooled = tokens.to(ScalarType.Float64).mean([1], keepdim: true);                                        // [B, 1, D]
        double pooledLoss = Vtc(Vision(pooled, heads), text, captions, temperature);

        double tolerance = 1e-4 * Math.Max(1, Math.Abs(expected));
        vtc.Should().BeApproximately(expected, tolerance);
        Math.Abs(expected - pooledLoss).Should().BeGreaterThan(20 * tolerance, "the case tells per-frame embeddings from one pooled embedding");
    }

    [Fact]
    public void The_temperature_decays_with_the_weights_as_add_weight_decay_does_for_a_0_d_parameter()
    {
        using var services = Services();
        var (plan, log) = (services.GetRequiredService<RunPlan>(), services.GetRequiredService<ILogger>());
        using var model = TrainingModel.Create(plan, log);

        var (decay, noDecay) = ParameterGroups.Split(model.NamedParameters());

        decay.Select(p => p.Name).Should().Contain(["temp", "vision_proj.weight", "text_proj.weight"]);
        noDecay.Select(p => p.Name).Should().Contain(["pool_norm.weight", "pool_norm.bias", "vision_proj.bias"], "1-D tensors and biases never decay");
    }

    public void Dispose() => temp.Dispose();

    /// <summary>vision_proj(LayerNorm_1e-6(x)) in float64, the reference's <c>vision_proj(pool_norm(·))</c>.</summary>
    private static Tensor Vision(Tensor pooled, Dictionary<string, Tensor> heads)
    {
        var mean = pooled.mean([-1], keepdim: true);
        var variance = (pooled - mean).square().mean([-1], keepdim: true);
        var normed = (pooled - mean) / (variance + 1e-6).sqrt() * heads["pool_norm.weight"] + heads["pool_norm.bias"];
        return Project(normed, heads["vision_proj.weight"], heads["vision_proj.bias"]);
    }

    private static Tensor Project(Tensor x, Tensor weight, Tensor bias) => matmul(x, weight.t()) + bias;

    /// <summary>
    /// criterions.py <c>vtc_loss</c> by hand in float64: sim[i, j] = mean over frames of cos(v_i,t, w_j) / temp,
    /// targets = equal captions, rows normalised; (CE over rows of sim + CE over rows of simᵀ) / 2.
    /// </summary>
    private static double Vtc(Tensor vision, Tensor text, string[] captions, double temperature)
    {
        int batch = captions.Length;
        long frames = vision.shape[1];
        var v = vision.cpu().data<double>().ToArray();   // [B, T, E]
        var w = text.cpu().data<double>().ToArray();     // [B, E]
        int width = (int)text.shape[1];
        double Dot(double[] a, int ai, double[] b, int bi) => Enumerable.Range(0, width).Sum(k => a[ai + k] * b[bi + k]);
        var sim = new double[batch, batch];
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j < batch; j++)
            {
                double sum = 0;
                for (int t = 0; t < frames; t++)
                {
                    int vi = (int)((i * frames + t) * width);
                    sum += Dot(v, vi, w, j * width) / Math.Sqrt(Dot(v, vi, v, vi) * Dot(w, j * width, w, j * width));
                }
                sim[i, j] = sum / frames / temperature;
            }
        }
        double CrossEntropy(Func<int, int, double> logit)
        {
            double total = 0;
            for (int i = 0; i < batch; i++)
            {
                double max = Enumerable.Range(0, batch).Max(j => logit(i, j));
                double logZ = max + Math.Log(Enumerable.Range(0, batch).Sum(j => Math.Exp(logit(i, j) - max)));
                var positives = Enumerable.Range(0, batch).Where(j => captions[j] == captions[i]).ToList();
                total -= positives.Sum(j => logit(i, j) - logZ) / positives.Count;
            }
            return total / batch;
        }
        return (CrossEntropy((i, j) => sim[i, j]) + CrossEntropy((i, j) => sim[j, i])) / 2;
    }

    /// <summary>configs/umt-stage2.json turned into the retrieval fine-tune by its own overlays; 4 clips, no drop-path.</summary>
    private ServiceProvider Services()
    {
        var settings = new FinetuneSettings(Lr: 1e-5, BatchSize: 4);
        var schedule = new TrainingSchedule(TotalSteps: 1, WarmupSteps: 0, StepsPerEpoch: 1, PeakLr: 1e-5, MinLr: 1e-6, EffectiveBatch: 4);
        string[] sets =
        [
            .. RetrievalFinetune.Overlays(settings, schedule, modelFile: "", temp.Path),
            // A low temperature sharpens the logits, so per-frame and pooled embeddings give losses far apart.
            "Umt:Model:DropPath=0", "Umt:Run:DataWorkers=1", "Umt:Stage2:Temperature=0.01",
        ];
        return RunnerServices.Build(new CommonArguments(RepositoryPaths.Root, ["configs/umt-stage2.json"], sets));
    }

    private static HostBatch FirstBatch(RunPlan plan, ILogger log)
    {
        using var dataset = plan.CreateDataset(log);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, plan.Run.BatchSize, default, workers: 1, new SampleFailures(log, dataset.Info.Count, maxFraction: 0));
        return pipeline.Next();
    }
}
