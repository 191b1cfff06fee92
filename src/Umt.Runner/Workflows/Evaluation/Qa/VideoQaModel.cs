using TorchSharp;
using TorchSharp.Modules;
using Umt.Abstractions.Masking;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Bert;
using Umt.Models.Student;
using Umt.Models.VisionLanguage;
using Umt.Models.Weights;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Model;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>
/// The reference's open-ended video QA model (multi_modality/models/umt_qa.py <c>UMT_QA</c>): the
/// student's tokens with every token visible (no pooling, no projections), the question encoded by
/// the text encoder with cross-attention to them, and an answer decoder
/// (<see cref="BertLmHeadModel"/>) over the question's states. Checkpoint keys: the student under
/// <c>encoder.</c>, the text encoder under <c>text_encoder.</c>, the decoder under
/// <c>text_decoder.</c>.
/// </summary>
public sealed class VideoQaModel : IDisposable
{
    public const string DecoderPrefix = "text_decoder.";

    /// <summary>The decoder loss's label smoothing (xbert <c>BertLMHeadModel</c>, 0.1), in training and ranking alike.</summary>
    public const double LabelSmoothing = 0.1;

    private readonly VideoVisionTransformer student;
    private readonly ITextEncoder textEncoder;
    private readonly BertLmHeadModel decoder;
    private readonly RunPlan plan;

    private VideoQaModel(VideoVisionTransformer student, ITextEncoder textEncoder, BertLmHeadModel decoder, RunPlan plan)
    {
        this.student = student;
        this.textEncoder = textEncoder;
        this.decoder = decoder;
        this.plan = plan;
    }

    /// <summary>
    /// The model of a stage-2 (or QA fine-tuned) checkpoint: the student and text encoder from its
    /// weights, the decoder from its <c>text_decoder.*</c> where it has them, else initialised from
    /// the text encoder's fusion layers and MLM head (tasks/shared_utils.py <c>setup_model</c>).
    /// </summary>
    /// <param name="pretrained">False: the student keeps its random initialisation and the text
    /// encoder its plugin's (the untrained baseline); the decoder starts from that text encoder.</param>
    /// <exception cref="ConfigurationException">The run has no text encoder, or one that is not an xbert BERT.</exception>
    public static VideoQaModel Load(RunPlan plan, string modelFile, bool pretrained, Serilog.ILogger log)
    {
        if (plan.TextEncoder is not { } selection)
        {
            throw new ConfigurationException($"{modelFile}: its run has no text encoder (Umt:TextEncoder:Use), so it is not a stage-2 checkpoint; open-ended QA needs one.");
        }
        var student = new VideoVisionTransformer(plan.StudentConfig);
        var textEncoder = ((ITextEncoderFactory)selection.Entry.Factory).Create(selection.Options, plan.PluginContext(log));
        if (textEncoder.Module is not BertForMaskedLM bert)
        {
            textEncoder.Dispose();
            student.Dispose();
            throw new ConfigurationException($"{selection.OptionsPath}: open-ended QA decodes answers with a BERT decoder made from the text encoder's fusion layers (the reference's build_bert_decoder); the '{selection.Entry.Name}' text encoder is not an xbert BERT.");
        }
        var decoder = new BertLmHeadModel(BertLmHeadModel.DecoderOf(bert.Config));
        using (var scope = NewDisposeScope())
        {
            var tensors = pretrained ? SafetensorsFile.Read(modelFile) : new Dictionary<string, Tensor>();
            if (pretrained)
            {
                StateDictLoader.Load(student, tensors, TrainingModel.StudentPrefix);
                StateDictLoader.Load(bert, tensors, TrainingModel.TextEncoderPrefix);
            }
            if (tensors.Keys.Any(k => k.StartsWith(DecoderPrefix, StringComparison.Ordinal)))
            {
                StateDictLoader.Load(decoder, tensors, DecoderPrefix);
            }
            else if (decoder.InitializeFrom(bert) is { Count: > 0 } fresh)
            {
                log.Information("qa: the answer decoder starts from the text encoder's fusion layers; {Count} tensors keep a fresh initialisation ({First}, ...)", fresh.Count, fresh[0]);
            }
        }
        foreach (var module in new nn.Module[] { student, bert, decoder })
        {
            module.to(plan.Device);
            module.eval();
        }
        return new VideoQaModel(student, textEncoder, decoder, plan);
    }

    /// <summary>Trainable parameters under their checkpoint names.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
        Modules().SelectMany(m => m.Module.named_parameters().Select(p => (m.Prefix + p.name, p.parameter))).Where(p => p.parameter.requires_grad);

    /// <summary>Every tensor under its checkpoint key.</summary>
    public Dictionary<string, Tensor> StateDict() =>
        Modules().SelectMany(m => m.Module.state_dict().Select(kv => (Key: m.Prefix + kv.Key, kv.Value))).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Training mode (drop-path and dropout on) or evaluation mode.</summary>
    public void Train(bool on)
    {
        foreach (var (_, module) in Modules())
        {
            module.train(on);
        }
    }

    /// <summary>
    /// The training loss (umt_qa.py <c>forward(train=True)</c> with one answer of weight 1 per
    /// question): each answer's label-smoothed sequence loss, summed over its tokens, averaged over the batch.
    /// </summary>
    /// <param name="video">Clips <c>[B, 3, T, H, W]</c>.</param>
    /// <param name="questions">One question per clip.</param>
    /// <param name="answers">The answer trained on, one per clip.</param>
    /// <param name="dropPathNoise">Uniform draws <c>[B, depth, 2]</c> for the student's drop-path, or null.</param>
    /// <returns><c>[]</c>.</returns>
    public Tensor Loss(Tensor video, IReadOnlyList<string> questions, IReadOnlyList<string> answers, Tensor? dropPathNoise)
    {
        var (states, questionMask) = QuestionStates(video, questions, dropPathNoise);              // [B, Lq, W], [B, Lq]
        var answer = EncodeAnswers(answers);                                                       // [B, La]
        var logits = decoder.Logits(answer.InputIds, answer.AttentionMask, states, questionMask);  // [B, La, V]
        return BertLmHeadModel.SequenceLoss(logits, answer.InputIds, textEncoder.Tokenizer.PadId, LabelSmoothing).mean(); // []
    }

    /// <summary>
    /// Answers tokenized (<c>[CLS] answer [SEP]</c>) without the padding every answer has: a padded
    /// position is neither a target nor, under the causal mask, seen by a token before it, so the
    /// losses are those of the tokenizer's full length at a fraction of the vocabulary projections.
    /// </summary>
    /// <returns><c>[A, La]</c>, La the longest answer.</returns>
    public TokenizedText EncodeAnswers(IReadOnlyList<string> answers)
    {
        var text = textEncoder.Tokenizer.Encode(answers, plan.Device);                            // [A, L]
        long longest = text.AttentionMask.sum(1).max().item<long>();                                // host read: one per batch of answers
        return new TokenizedText(text.InputIds.narrow(1, 0, longest), text.AttentionMask.narrow(1, 0, longest)); // [A, La]
    }

    /// <summary>The k most likely answers of each clip's question, re-ranked (<see cref="AnswerRanking"/>).</summary>
    /// <returns>Answer-list indices <c>[B, k]</c>, best first, and their probabilities <c>[B, k]</c>.</returns>
    public (Tensor Answers, Tensor Probabilities) Rank(Tensor video, IReadOnlyList<string> questions, TokenizedText answerList, int k)
    {
        using var noGrad = no_grad();
        var (states, questionMask) = QuestionStates(video, questions, dropPathNoise: null);        // [B, Lq, W], [B, Lq]
        return AnswerRanking.Rank(decoder, states, questionMask, answerList.InputIds, answerList.AttentionMask, k, textEncoder.Tokenizer.PadId, LabelSmoothing);
    }

    /// <summary>umt_qa.py's <c>text_encoder(question, encoder_hidden_states=image_embeds)</c>: "text" then "fusion" mode over every student token.</summary>
    private (Tensor States, Tensor Mask) QuestionStates(Tensor video, IReadOnlyList<string> questions, Tensor? dropPathNoise)
    {
        long tokens = plan.Student.Grid.Count;
        var hidden = zeros([video.shape[0], tokens], ScalarType.Bool, plan.Device);                // [B, N], nothing hidden
        int last = plan.Student.Depth - 1;
        var vision = student.ForwardVisible(video, TokenSelection.FromMask(hidden, tokens), [last], dropPathNoise)[last]; // [B, N, D]
        var question = textEncoder.Tokenizer.Encode(questions, plan.Device);                       // [B, Lq]
        var text = textEncoder.EncodeText(question);                                               // [B, Lq, W]
        return (textEncoder.Fuse(text, question.AttentionMask, vision), question.AttentionMask);   // [B, Lq, W], [B, Lq]
    }

    private IEnumerable<(string Prefix, nn.Module Module)> Modules() =>
        [(TrainingModel.StudentPrefix, student), (TrainingModel.TextEncoderPrefix, textEncoder.Module), (DecoderPrefix, decoder)];

    public void Dispose()
    {
        decoder.Dispose();
        textEncoder.Dispose();
        student.Dispose();
    }
}
