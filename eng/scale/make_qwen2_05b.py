#!/usr/bin/python3
"""Writes a random-weight Qwen2-0.5B-shaped decoder in the Optimum / transformers.js layout of assets/models/tiny-qwen2.

Same inputs (input_ids, attention_mask, position_ids, past_key_values.{i}.key/.value) and outputs (logits,
present.{i}.key/.value) as tiny-qwen2/onnx/model.onnx; hidden 896, 24 layers, 14 heads, 2 key/value heads, head size 64,
intermediate 4864, rotary (theta 1e6), q/k/v biases, RMSNorm, SiLU MLP, tied embeddings (one [vocab, 896] matrix used by
Gather and by the lm_head Gemm), vocabulary 151,936, fp32 with external data. The tokenizer files come from tiny-qwen2
(ids up to 50,258); the embedding rows of its eos ids are zero so that greedy decoding never stops early.

Needs Debian python3-onnx and python3-numpy (no torch). Output (about 2 GB) goes OUTSIDE the repository; never commit it.
Usage: /usr/bin/python3 eng/scale/make_qwen2_05b.py [/tmp/qwen2-05b]
"""
import json, os, shutil, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN, LAYERS, HEADS, KV_HEADS, HEAD, INTER, VOCAB = 896, 24, 14, 2, 64, 4864, 151936
MAX_POS, THETA, EPS = 32768, 1e6, 1e-6
EOS = [50258, 50256]

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/qwen2-05b"
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tiny = os.path.join(repo, "assets", "models", "tiny-qwen2")
rng = np.random.default_rng(0)
nodes, inits = [], []


def init(name, array):
    inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
    return name


def rand(name, *shape, std=0.02):
    return init(name, (rng.standard_normal(shape, dtype=np.float32) * std))


def const(name, values, dtype=np.int64):
    return init(name, np.array(values, dtype=dtype))


def node(op, inputs, name, **attrs):
    nodes.append(helper.make_node(op, inputs, [name], name=name + "_node", **attrs))
    return name


def rms_norm(x, weight, p):
    sq = node("Mul", [x, x], p + "_sq")
    mean = node("ReduceMean", [sq], p + "_mean", axes=[-1], keepdims=1)
    std = node("Sqrt", [node("Add", [mean, "eps"], p + "_addeps")], p + "_std")
    return node("Mul", [node("Div", [x, std], p + "_div"), weight], p + "_out")


def rotate(x, p):
    """x * cos + rotate_half(x) * sin, x [B, H, S, 64]."""
    x1 = node("Slice", [x, "zero1", "half1", "minus1"], p + "_x1")
    x2 = node("Slice", [x, "half1", "head1", "minus1"], p + "_x2")
    rotated = node("Concat", [node("Neg", [x2], p + "_neg"), x1], p + "_rot", axis=-1)
    return node("Add", [node("Mul", [x, "cos"], p + "_xcos"), node("Mul", [rotated, "sin"], p + "_xsin")], p + "_rope")


embed = rng.standard_normal((VOCAB, HIDDEN), dtype=np.float32) * 0.02
embed[EOS] = 0.0
init("model.embed_tokens.weight", embed)
init("eps", np.array(EPS, dtype=np.float32))
init("scale", np.array(1.0 / np.sqrt(HEAD), dtype=np.float32))
init("neg_large", np.array(-3.4028234663852886e38, dtype=np.float32))
init("zero_f", np.array(0.0, dtype=np.float32))
const("zero1", [0]); const("half1", [HEAD // 2]); const("head1", [HEAD]); const("minus1", [-1]); const("one1", [1])
const("zero", 0); const("one", 1)
inv = 1.0 / THETA ** (np.arange(0, HEAD, 2, dtype=np.float64) / HEAD)
angles = np.outer(np.arange(MAX_POS, dtype=np.float64), inv)
angles = np.concatenate([angles, angles], axis=-1)
init("cos_table", np.cos(angles).astype(np.float32))
init("sin_table", np.sin(angles).astype(np.float32))

# Shapes: batch, new length S, total length T (= past + S).
ids_shape = node("Shape", ["input_ids"], "ids_shape")
batch = node("Gather", [ids_shape, "zero1"], "batch")
seq = node("Gather", [ids_shape, "one1"], "seq")
total = node("Gather", [node("Shape", ["attention_mask"], "mask_shape"), "one1"], "total")
past = node("Sub", [total, seq], "past")
# Additive mask [B, 1, S, T]: key t is visible to query s when t <= past + s and attention_mask[b, t] == 1.
cols = node("Range", ["zero", node("Squeeze", [total], "total_s"), "one"], "cols")
rows = node("Add", [node("Range", ["zero", node("Squeeze", [seq], "seq_s"), "one"], "rows0"), node("Squeeze", [past], "past_s")], "rows")
causal = node("LessOrEqual", [node("Unsqueeze", [cols, "zero1"], "cols2"), node("Unsqueeze", [rows, "minus1"], "rows2")], "causal")
padded = node("Equal", [node("Unsqueeze", ["attention_mask", const("axes12", [1, 2])], "mask4"), "one"], "not_padding")
visible = node("And", [causal, padded], "visible")
bias = node("Where", [visible, "zero_f", "neg_large"], "mask_bias")
# Rotary tables for these positions: [B, 1, S, 64].
cos = node("Unsqueeze", [node("Gather", ["cos_table", "position_ids"], "cos3"), "one1"], "cos")
sin = node("Unsqueeze", [node("Gather", ["sin_table", "position_ids"], "sin3"), "one1"], "sin")
heads_shape = lambda h, p: node("Concat", [batch, seq, const(p + "_hd", [h, HEAD])], p + "_shape", axis=0)
q_shape, kv_shape = heads_shape(HEADS, "q"), heads_shape(KV_HEADS, "kv")
out_shape = node("Concat", [batch, seq, const("hidden1", [HIDDEN])], "out_shape", axis=0)

h = node("Gather", ["model.embed_tokens.weight", "input_ids"], "embeddings")
inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
          helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "past_sequence_length + sequence_length"]),
          helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"])]
outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", VOCAB])]
for i in range(LAYERS):
    p = f"model.layers.{i}"
    for kind in ("key", "value"):
        inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", TensorProto.FLOAT, ["batch_size", KV_HEADS, "past_sequence_length", HEAD]))
        outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", TensorProto.FLOAT, ["batch_size", KV_HEADS, "past_sequence_length + sequence_length", HEAD]))
    x = rms_norm(h, init(p + ".input_layernorm.weight", np.ones(HIDDEN, np.float32)), p + "_ln1")

    def project(name, heads, shape):
        y = node("Add", [node("MatMul", [x, rand(f"{p}.self_attn.{name}.weight", HIDDEN, heads * HEAD)], f"{p}_{name}_mm"),
                         rand(f"{p}.self_attn.{name}.bias", heads * HEAD)], f"{p}_{name}")
        return node("Transpose", [node("Reshape", [y, shape], f"{p}_{name}_r")], f"{p}_{name}_t", perm=[0, 2, 1, 3])

    q = rotate(project("q_proj", HEADS, q_shape), p + "_q")
    k = rotate(project("k_proj", KV_HEADS, kv_shape), p + "_k")
    v = project("v_proj", KV_HEADS, kv_shape)
    key = node("Concat", [f"past_key_values.{i}.key", k], f"present.{i}.key", axis=2)
    value = node("Concat", [f"past_key_values.{i}.value", v], f"present.{i}.value", axis=2)
    # Grouped-query attention: each key/value head serves HEADS / KV_HEADS query heads.
    expanded = node("Concat", [batch, const(p + "_g", [KV_HEADS, HEADS // KV_HEADS]), total, const(p + "_d", [HEAD])], p + "_exp_shape", axis=0)
    merged = node("Concat", [batch, const(p + "_h", [HEADS]), total, const(p + "_d2", [HEAD])], p + "_merged_shape", axis=0)

    def repeat(t, name):
        t5 = node("Unsqueeze", [t, const(f"{p}_{name}_ax", [2])], f"{p}_{name}_5")
        return node("Reshape", [node("Expand", [t5, expanded], f"{p}_{name}_e"), merged], f"{p}_{name}_rep")

    scores = node("MatMul", [q, node("Transpose", [repeat(key, "k")], f"{p}_kt", perm=[0, 1, 3, 2])], f"{p}_scores")
    scores = node("Add", [node("Mul", [scores, "scale"], f"{p}_scaled"), bias], f"{p}_masked")
    attention = node("MatMul", [node("Softmax", [scores], f"{p}_probs", axis=-1), repeat(value, "v")], f"{p}_attn")
    attention = node("Reshape", [node("Transpose", [attention], f"{p}_attn_t", perm=[0, 2, 1, 3]), out_shape], f"{p}_attn_r")
    h = node("Add", [h, node("MatMul", [attention, rand(p + ".self_attn.o_proj.weight", HIDDEN, HIDDEN)], f"{p}_o")], f"{p}_res1")
    x = rms_norm(h, init(p + ".post_attention_layernorm.weight", np.ones(HIDDEN, np.float32)), p + "_ln2")
    gate = node("MatMul", [x, rand(p + ".mlp.gate_proj.weight", HIDDEN, INTER)], f"{p}_gate")
    up = node("MatMul", [x, rand(p + ".mlp.up_proj.weight", HIDDEN, INTER)], f"{p}_up")
    act = node("Mul", [node("Mul", [gate, node("Sigmoid", [gate], f"{p}_sig")], f"{p}_silu"), up], f"{p}_act")
    h = node("Add", [h, node("MatMul", [act, rand(p + ".mlp.down_proj.weight", INTER, HIDDEN)], f"{p}_down")], f"{p}_res2")

h = rms_norm(h, init("model.norm.weight", np.ones(HIDDEN, np.float32)), "final_ln")
# Tied lm_head: logits = h @ embed^T through Gemm(transB) on [B*S, 896], so the embedding is stored once.
flat = node("Reshape", [h, const("flat_shape", [-1, HIDDEN])], "flat")
logits2 = node("Gemm", [flat, "model.embed_tokens.weight"], "logits2", transB=1)
logits_shape = node("Concat", [batch, seq, const("vocab1", [VOCAB])], "logits_shape", axis=0)
nodes.append(helper.make_node("Reshape", [logits2, logits_shape], ["logits"], name="logits_node"))

graph = helper.make_graph(nodes, "qwen2-0.5b-shaped", inputs, outputs, inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="mlnetllm-eng-scale")
model.ir_version = 7
os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
for stale in ("model.onnx", "model.onnx_data"):
    if os.path.exists(os.path.join(out, "onnx", stale)):
        os.remove(os.path.join(out, "onnx", stale))
onnx.save_model(model, os.path.join(out, "onnx", "model.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                location="model.onnx_data", size_threshold=1024)

for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"):
    shutil.copy(os.path.join(tiny, name), os.path.join(out, name))
with open(os.path.join(tiny, "config.json")) as f:
    config = json.load(f)
config.update(hidden_size=HIDDEN, num_hidden_layers=LAYERS, num_attention_heads=HEADS, num_key_value_heads=KV_HEADS,
              intermediate_size=INTER, vocab_size=VOCAB, max_position_embeddings=MAX_POS, max_window_layers=LAYERS,
              sliding_window=MAX_POS, rope_theta=THETA)
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(config, f, indent=2)
size = sum(os.path.getsize(os.path.join(out, "onnx", n)) for n in os.listdir(os.path.join(out, "onnx")))
print(f"wrote {out}: {sum(int(np.prod(t.dims)) for t in inits):,} parameters, {size / 2**30:.2f} GiB of ONNX files")
