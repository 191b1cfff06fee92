using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// OpenAI's full CLIP model (clip/model.py <c>CLIP</c>, ViT variant): <c>visual</c>, the text tower's
/// fields at the top level, and <c>logit_scale</c>. <c>state_dict()</c> keys are exactly OpenAI's
/// (<c>visual.conv1.weight</c>, <c>token_embedding.weight</c>, <c>transformer.resblocks.0.*</c>,
/// <c>ln_final.weight</c>, <c>text_projection</c>, <c>logit_scale</c>), so a file it writes loads
/// wherever OpenAI weights load, and OpenAI weights load into it.
/// </summary>
/// <remarks>
/// Derives from <see cref="ClipTextTransformer"/> because OpenAI's CLIP class owns the text fields
/// directly (see the remarks there).
/// </remarks>
public sealed class ClipModel : ClipTextTransformer
{
    /// <summary>OpenAI's initial temperature: <c>logit_scale = ln(1 / 0.07)</c>.</summary>
    public static readonly double InitialLogitScale = Math.Log(1 / 0.07);

    /// <summary>OpenAI's training clamps the scale at ln 100, so logits never exceed 100·cosine.</summary>
    public static readonly double MaxLogitScale = Math.Log(100);

    private readonly ClipVisionTransformer visual;
    private readonly Parameter logit_scale;

    /// <summary>Creates a randomly initialised model (OpenAI's init scales) of the given architecture.</summary>
    public ClipModel(ClipModelConfig config) : base(config.Text, nameof(ClipModel))
    {
        config.Check();
        Config = config;
        visual = new ClipVisionTransformer(config.Vision);
        logit_scale = nn.Parameter((ones([]) * InitialLogitScale).DetachFromDisposeScope());
        RegisterComponents(); // the text tower's fields (from the base) and these, at the top level
    }

    /// <summary>The architecture.</summary>
    public ClipModelConfig Config { get; }

    /// <summary>The image tower (keys <c>visual.*</c>).</summary>
    public ClipVisionTransformer Visual => visual;

    /// <summary>The learnable log inverse temperature <c>[]</c>: logits are <c>exp(logit_scale)·cos</c>.</summary>
    public Parameter LogitScale => logit_scale;

    /// <summary>OpenAI's <c>encode_image</c>: <c>ln_post</c>(CLS) <c>@ proj</c>.</summary>
    /// <param name="images">Images <c>[B, 3, H, W]</c>, normalised as the tower was trained.</param>
    /// <returns>Image embeddings <c>[B, C]</c>, not normalised.</returns>
    public Tensor EncodeImage(Tensor images) => visual.EmbedImage(images); // [B, C]
}
