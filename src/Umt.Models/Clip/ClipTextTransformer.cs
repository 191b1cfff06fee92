using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// OpenAI CLIP's text tower (clip/model.py <c>CLIP.encode_text</c>): <c>token_embedding</c>,
/// <c>positional_embedding</c>, a causal <c>transformer</c>, <c>ln_final</c>, pooling at the
/// end-of-text token, <c>text_projection</c>. Field names are OpenAI's keys, which OpenAI stores at
/// the top level of the full CLIP state dict, beside <c>visual.*</c>.
/// </summary>
/// <remarks>
/// OpenAI pools at the EOT token, found as <c>argmax</c> of the BPE ids because EOT has the
/// largest id. That trick is tokenizer-specific (a WordPiece <c>[SEP]</c> has a small id), so the
/// caller passes the pooling position of every caption explicitly.
/// <para>
/// <see cref="ClipModel"/> derives from this class rather than holding it as a submodule: a
/// submodule would prefix every text key (<c>text.token_embedding.weight</c>) and break OpenAI's
/// layout, and a parameter shared by two modules would go stale on <c>.to(device)</c>, which
/// replaces the parameters of the module whose fields it walks. The fields are therefore
/// <c>private protected</c>: TorchSharp registers and moves the fields that reflection finds on the
/// runtime type, which includes a base class's non-private fields.
/// </para>
/// </remarks>
public class ClipTextTransformer : nn.Module
{
    private protected readonly Embedding token_embedding;
    private protected readonly Parameter positional_embedding;
    private protected readonly ClipTransformer transformer;
    private protected readonly ClipLayerNorm ln_final;
    private protected readonly Parameter text_projection;

    /// <summary>Creates a randomly initialised text tower (OpenAI's init) of the given architecture.</summary>
    public ClipTextTransformer(ClipTextConfig config) : this(config, "text")
    {
        RegisterComponents();
    }

    /// <summary>
    /// Creates the text fields without registering them: a derived module registers its own
    /// fields and these together, once all exist (TorchSharp registers components only once).
    /// </summary>
    private protected ClipTextTransformer(ClipTextConfig config, string name) : base(name)
    {
        ArgumentNullException.ThrowIfNull(config);
        TextConfig = config;
        long width = config.Width;
        token_embedding = nn.Embedding(config.VocabSize, width);
        positional_embedding = nn.Parameter(empty(config.ContextLength, width).DetachFromDisposeScope());
        transformer = new ClipTransformer(width, config.Layers, config.Heads);
        ln_final = new ClipLayerNorm(width);
        text_projection = nn.Parameter(empty(width, config.OutputWidth).DetachFromDisposeScope());
        InitializeParameters();
    }

    /// <summary>The text tower's architecture.</summary>
    public ClipTextConfig TextConfig { get; }

    /// <summary>
    /// Embeds captions: OpenAI's <c>encode_text</c> with the pooling position given.
    /// </summary>
    /// <param name="tokens">Token ids <c>[B, L]</c> (int64), L ≤ the context length; padding after the pooled token.</param>
    /// <param name="poolPositions">Position of each caption's end token <c>[B]</c> (int64): EOT for OpenAI's BPE, <c>[SEP]</c> for WordPiece.</param>
    /// <returns>Caption embeddings <c>[B, C]</c>, not normalised.</returns>
    public Tensor EncodeText(Tensor tokens, Tensor poolPositions)
    {
        var (batch, length) = (tokens.shape[0], tokens.shape[1]);
        if (length > TextConfig.ContextLength)
        {
            throw new ArgumentException($"Captions of {length} tokens exceed the context length {TextConfig.ContextLength}.", nameof(tokens));
        }

        // 1. token and position embeddings
        var x = token_embedding.call(tokens);                                        // [B, L, W]
        x = x + positional_embedding[..(int)length].to(x.dtype);                     // [B, L, W]

        // 2. causal residual blocks: a token sees itself and what precedes it, never the padding after it
        for (int i = 0; i < transformer.Layers; i++)
        {
            x = transformer[i].Forward(x, causal: true, out _);                      // [B, L, W]
        }

        // 3. final norm, pool at the end token, project into the joint space
        x = ln_final.call(x);                                                        // [B, L, W]
        var rows = arange(batch, dtype: ScalarType.Int64, device: x.device);         // [B]
        var pooled = x[TensorIndex.Tensor(rows), TensorIndex.Tensor(poolPositions.to(ScalarType.Int64))]; // [B, W]
        return matmul(pooled, text_projection.to(pooled.dtype));                     // [B, C]
    }

    /// <summary>
    /// OpenAI's <c>initialize_parameters</c> for the text half: token embedding std 0.02,
    /// positions std 0.01, attention and MLP weights scaled by width and depth (the output
    /// projections by 1/sqrt(2·layers), so the residual stream's variance does not grow with
    /// depth), <c>text_projection</c> std width^-0.5. Biases keep their constructors' values.
    /// </summary>
    private void InitializeParameters()
    {
        using var noGrad = no_grad();
        double width = TextConfig.Width;
        double projectionStd = Math.Pow(width, -0.5) * Math.Pow(2.0 * TextConfig.Layers, -0.5);
        double attentionStd = Math.Pow(width, -0.5);
        double mlpStd = Math.Pow(2.0 * width, -0.5);
        nn.init.normal_(token_embedding.weight!, 0, 0.02);
        nn.init.normal_(positional_embedding, 0, 0.01);
        foreach (var (name, parameter) in transformer.named_parameters())
        {
            double? std = name switch
            {
                _ when name.EndsWith(".attn.in_proj_weight", StringComparison.Ordinal) => attentionStd,
                _ when name.EndsWith(".attn.out_proj.weight", StringComparison.Ordinal) => projectionStd,
                _ when name.EndsWith(".mlp.c_fc.weight", StringComparison.Ordinal) => mlpStd,
                _ when name.EndsWith(".mlp.c_proj.weight", StringComparison.Ordinal) => projectionStd,
                _ => null,
            };
            if (std is { } s)
            {
                nn.init.normal_(parameter, 0, s);
            }
        }
        nn.init.normal_(text_projection, 0, Math.Pow(width, -0.5));
    }
}
