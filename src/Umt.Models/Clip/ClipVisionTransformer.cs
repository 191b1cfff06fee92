using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>What the vision tower returns for a batch of images.</summary>
/// <param name="Layers">Per requested block, the residual stream's patch tokens <c>[K, B, P, D]</c> (CLS dropped).</param>
/// <param name="ClsAttention">The last block's head-averaged CLS→patch attention <c>[B, P]</c> fp32, or null.</param>
public sealed record ClipVisionOutput(Tensor Layers, Tensor? ClsAttention);

/// <summary>
/// OpenAI CLIP's vision tower (clip/model.py <c>VisionTransformer</c>): patchify by <c>conv1</c>,
/// prepend <c>class_embedding</c>, add <c>positional_embedding</c>, <c>ln_pre</c>, residual blocks,
/// <c>ln_post</c>, <c>proj</c>. Field names are OpenAI's keys without the <c>visual.</c> prefix,
/// which is the layout of the reference's stripped teacher files (extract_clip/extract.ipynb).
/// </summary>
/// <remarks>
/// Differs from OpenAI's forward in what it returns: the teacher needs every requested block's
/// patch tokens and the last block's CLS→patch attention (unmasked_teacher single_modality/models/clip.py),
/// not the pooled CLS embedding. Any input resolution that is a multiple of the patch works: the
/// patch part of the positional table is resized bicubically to the input grid as the reference's
/// <c>interpolate_pos_embed</c> does (CLIP-L/14 at 196×196 gives the student's 14×14 grid).
/// </remarks>
public sealed class ClipVisionTransformer : nn.Module
{
    private readonly Conv2d conv1;
    private readonly Parameter class_embedding;
    private readonly Parameter positional_embedding;
    private readonly ClipLayerNorm ln_pre;
    private readonly ClipTransformer transformer;
    private readonly ClipLayerNorm ln_post;
    private readonly Parameter proj;

    /// <summary>Creates a randomly initialised tower (OpenAI's init scales) of the given architecture.</summary>
    public ClipVisionTransformer(ClipVisionConfig config) : base("visual")
    {
        Config = config;
        long width = config.Width;
        double scale = Math.Pow(width, -0.5); // clip/model.py: scale = width ** -0.5
        conv1 = nn.Conv2d(3, width, config.PatchSize, stride: config.PatchSize, bias: false);
        class_embedding = nn.Parameter((randn(width) * scale).DetachFromDisposeScope());
        positional_embedding = nn.Parameter((randn(1 + (long)config.GridSide * config.GridSide, width) * scale).DetachFromDisposeScope());
        ln_pre = new ClipLayerNorm(width);
        transformer = new ClipTransformer(width, config.Layers, config.Heads);
        ln_post = new ClipLayerNorm(width);
        proj = nn.Parameter((randn(width, config.OutputWidth) * scale).DetachFromDisposeScope());
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public ClipVisionConfig Config { get; }

    /// <summary>
    /// The positional table for a <paramref name="gridSide"/>² input grid <c>[1 + G², D]</c>: the
    /// CLS row as is, the patch rows resized bicubically (align_corners false) when the grid differs.
    /// </summary>
    public Tensor PositionTable(int gridSide)
    {
        if (gridSide == Config.GridSide)
        {
            return positional_embedding;                                                     // [1 + G², D]
        }
        long width = Config.Width;
        var cls = positional_embedding[..1];                                                 // [1, D]
        var patches = positional_embedding[1..]                                              // [G², D]
            .reshape(1, Config.GridSide, Config.GridSide, width)                             // [1, G, G, D]
            .permute(0, 3, 1, 2)                                                             // [1, D, G, G]
            .to(ScalarType.Float32);
        var resized = nn.functional.interpolate(patches, [gridSide, gridSide], mode: InterpolationMode.Bicubic, align_corners: false); // [1, D, G', G']
        var rows = resized.permute(0, 2, 3, 1).reshape((long)gridSide * gridSide, width);    // [G'², D]
        return cat([cls, rows.to(positional_embedding.dtype)], 0);                           // [1 + G'², D]
    }

    /// <summary>
    /// Runs the tower on whole images and returns the residual stream of the requested blocks.
    /// </summary>
    /// <param name="images">Images <c>[B, 3, H, W]</c>, H = W a multiple of the patch.</param>
    /// <param name="layers">Blocks to return, ascending (0-based); may be empty when only the attention is wanted (semantic masking without alignment).</param>
    /// <param name="withAttention">Also return the last block's head-averaged CLS→patch attention.</param>
    /// <param name="positions">Positional table for this grid (see <see cref="PositionTable"/>); computed when null.</param>
    public ClipVisionOutput Encode(Tensor images, IReadOnlyList<int> layers, bool withAttention, Tensor? positions = null)
    {
        if ((layers.Count == 0 && !withAttention) || layers.Any(l => l < 0 || l >= Config.Layers) || !layers.SequenceEqual(layers.Order()))
        {
            throw new ArgumentException($"Layers must be ascending block indices in [0, {Config.Layers}), and at least one unless the attention is asked for; got [{string.Join(", ", layers)}].", nameof(layers));
        }
        // 1. patchify and embed: CLS first, then the G² patches in row-major (h, w) order
        var x = Embed(images, positions);                                        // [B, 1 + P, D]

        // 2. residual blocks; the stream is kept after each requested block; stop after the last one needed
        int last = withAttention ? Config.Layers - 1 : layers[^1];
        var kept = new List<Tensor>(layers.Count);
        Tensor? clsAttention = null;
        for (int i = 0; i <= last; i++)
        {
            bool weights = withAttention && i == Config.Layers - 1;
            x = transformer[i].Forward(x, causal: false, out var attention, weights); // [B, 1 + P, D]
            if (weights)
            {
                clsAttention = attention![.., 1..];                                   // [B, P] fp32  CLS query, patch keys, not renormalised
            }
            if (layers.Contains(i))
            {
                kept.Add(x[.., 1..]);                                                 // [B, P, D]
            }
        }
        var features = kept.Count > 0 ? stack(kept) : x.new_empty([0, x.shape[0], x.shape[1] - 1, x.shape[2]]); // [K, B, P, D]
        return new ClipVisionOutput(features, clsAttention);                         // [K, B, P, D], [B, P]
    }

    /// <summary>
    /// CLIP's output head applied to tokens: <c>ln_post(x) @ proj</c> (the reference applies it to
    /// every returned layer, not only the last one's CLS token).
    /// </summary>
    /// <param name="tokens">Residual-stream tokens <c>[..., D]</c>.</param>
    /// <returns>Projected tokens <c>[..., C]</c>.</returns>
    public Tensor Project(Tensor tokens) => matmul(ln_post.call(tokens), proj.to(tokens.dtype)); // [..., C]

    /// <summary>
    /// OpenAI's image embedding: <c>ln_post</c>(CLS of the last block) <c>@ proj</c>, for zero-shot
    /// classification with a text tower.
    /// </summary>
    /// <param name="images">Images <c>[B, 3, H, W]</c>.</param>
    /// <returns>Embeddings <c>[B, C]</c>, not normalised.</returns>
    public Tensor EmbedImage(Tensor images)
    {
        var x = Embed(images, positions: null);                                  // [B, 1 + P, D]
        for (int i = 0; i < Config.Layers; i++)
        {
            x = transformer[i].Forward(x, causal: false, out _);                 // [B, 1 + P, D]
        }
        return Project(x[.., 0]);                                                // [B, C]
    }

    /// <summary>Patch embedding, CLS token, positions and <c>ln_pre</c>: the tokens block 0 reads.</summary>
    private Tensor Embed(Tensor images, Tensor? positions)
    {
        long batch = images.shape[0];
        int gridSide = (int)(images.shape[^1] / Config.PatchSize);
        var patches = conv1.call(images.to(conv1.weight!.dtype))                 // [B, D, G, G]
                           .flatten(2).transpose(1, 2);                          // [B, P, D]
        var cls = class_embedding.to(patches.dtype).expand(batch, 1, -1);       // [B, 1, D]
        var x = cat([cls, patches], 1);                                          // [B, 1 + P, D]
        x = x + (positions ?? PositionTable(gridSide)).to(x.dtype);              // [B, 1 + P, D]
        return ln_pre.call(x);                                                   // [B, 1 + P, D]
    }
}
