using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>
/// <c>Umt:TeacherTraining</c>: the recipe of <c>umt teacher train</c>, which trains the embedded
/// default's tiny CLIP teacher (synthetic-benchmark.md, "The tiny teacher") on synthetic images
/// and captions. Property initialisers are the defaults; <c>configs/teacher-tiny-clip.json</c> is
/// the committed recipe. The architecture numbers follow OpenAI's CLIP (heads = width / 64).
/// </summary>
public sealed class TeacherTrainingOptions : IValidatableObject
{
    /// <summary>Seed of the initialisation and of the sample order.</summary>
    public long Seed { get; set; }

    /// <summary>Optimizer steps.</summary>
    [Range(1, int.MaxValue)]
    public int Steps { get; set; } = 3000;

    /// <summary>Images per step; every other image in the batch is a negative unless it has the same caption.</summary>
    [Range(2, 65536)]
    public int BatchSize { get; set; } = 128;

    /// <summary>Peak learning rate (absolute, not scaled by the batch).</summary>
    [Range(0.0, 10.0, MinimumIsExclusive = true)]
    public double Lr { get; set; } = 1e-3;

    /// <summary>Final learning rate of the cosine schedule.</summary>
    [Range(0.0, 10.0)]
    public double MinLr { get; set; } = 1e-5;

    /// <summary>Linear warm-up from 0 over this many steps, then cosine to <see cref="MinLr"/>.</summary>
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; set; } = 200;

    /// <summary>AdamW's decoupled weight decay on matrices; biases, norms, the CLS token and the temperature get none.</summary>
    [Range(0.0, 10.0)]
    public double WeightDecay { get; set; } = 0.1;

    /// <summary>AdamW (β1, β2); OpenAI trained CLIP with β2 = 0.98.</summary>
    public double[] Betas { get; set; } = [0.9, 0.98];

    /// <summary>AdamW's epsilon (OpenAI CLIP: 1e-6).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double Eps { get; set; } = 1e-6;

    /// <summary>Clip the global gradient norm to this value; null = no clipping.</summary>
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double? ClipGrad { get; set; } = 1.0;

    /// <summary>Synthetic training images (<c>Split = train</c>, rendered on the fly; more images = fewer repeats).</summary>
    [Range(1, int.MaxValue)]
    public int Images { get; set; } = 200_000;

    /// <summary>Content seed of the synthetic images (the dataset's own <c>Seed</c>).</summary>
    public long DataSeed { get; set; }

    /// <summary>Threads that render a batch's images (between steps, while libtorch waits).</summary>
    [Range(1, 64)]
    public int DataWorkers { get; set; } = 2;

    /// <summary>Intra-op threads for libtorch; 0 keeps libtorch's default (all cores).</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Steps between progress lines (loss, in-batch accuracy, temperature).</summary>
    [Range(1, int.MaxValue)]
    public int LogEvery { get; set; } = 50;

    /// <summary>
    /// Where the weights go (safetensors, OpenAI's key layout), relative to the repository root;
    /// the WordPiece vocabulary is written beside it as <c>&lt;name&gt;-vocab.txt</c>.
    /// </summary>
    [Required]
    public string Output { get; set; } = "assets/teachers/tiny-clip.safetensors";

    /// <summary>Image side in pixels (the student's frames: 64 for the embedded default).</summary>
    [Range(8, 1024)]
    public int ImageSize { get; set; } = 64;

    /// <summary>Patch side in pixels: ImageSize / PatchSize is the token grid, equal to the student's.</summary>
    [Range(1, 1024)]
    public int PatchSize { get; set; } = 8;

    /// <summary>Image tower width.</summary>
    [Range(1, 4096)]
    public int VisionWidth { get; set; } = 128;

    /// <summary>Image tower blocks.</summary>
    [Range(1, 128)]
    public int VisionLayers { get; set; } = 6;

    /// <summary>Image tower heads (OpenAI's rule: width / 64).</summary>
    [Range(1, 128)]
    public int VisionHeads { get; set; } = 2;

    /// <summary>Width of the joint image-text embedding (both projections' output).</summary>
    [Range(1, 4096)]
    public int EmbedWidth { get; set; } = 128;

    /// <summary>Text tower width.</summary>
    [Range(1, 4096)]
    public int TextWidth { get; set; } = 128;

    /// <summary>Text tower blocks.</summary>
    [Range(1, 128)]
    public int TextLayers { get; set; } = 4;

    /// <summary>Text tower heads (OpenAI's rule: width / 64).</summary>
    [Range(1, 128)]
    public int TextHeads { get; set; } = 2;

    /// <summary>Tokens per caption: <c>[CLS] caption [SEP]</c> padded with <c>[PAD]</c>.</summary>
    [Range(4, 512)]
    public int ContextLength { get; set; } = 16;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ImageSize % PatchSize != 0)
        {
            yield return new ValidationResult($"must be a multiple of PatchSize ({PatchSize}), got {ImageSize}", [nameof(ImageSize)]);
        }
        if (VisionWidth % VisionHeads != 0)
        {
            yield return new ValidationResult($"({VisionHeads}) must divide VisionWidth ({VisionWidth})", [nameof(VisionHeads)]);
        }
        if (TextWidth % TextHeads != 0)
        {
            yield return new ValidationResult($"({TextHeads}) must divide TextWidth ({TextWidth})", [nameof(TextHeads)]);
        }
        if (Betas.Length != 2 || Betas.Any(b => b is < 0 or >= 1))
        {
            yield return new ValidationResult($"must be two numbers in [0, 1), got [{string.Join(", ", Betas)}]", [nameof(Betas)]);
        }
        if (MinLr > Lr)
        {
            yield return new ValidationResult($"must not exceed Lr ({Lr}), got {MinLr}", [nameof(MinLr)]);
        }
        if (WarmupSteps > Steps)
        {
            yield return new ValidationResult($"must not exceed Steps ({Steps}), got {WarmupSteps}", [nameof(WarmupSteps)]);
        }
        if (Images < BatchSize)
        {
            yield return new ValidationResult($"must be at least BatchSize ({BatchSize}), got {Images}", [nameof(Images)]);
        }
        if (!Output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"must name a .safetensors file, got '{Output}'", [nameof(Output)]);
        }
    }
}
