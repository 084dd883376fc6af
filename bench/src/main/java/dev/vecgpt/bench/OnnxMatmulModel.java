package dev.vecgpt.bench;

import dev.vecgpt.core.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A one-node ONNX model, {@code y [M, N] = MatMul(x [M, K], wt [K, N])} with {@code wt = Wᵀ} stored as
 * an initializer, written as protobuf bytes by hand: the model is small and fixed, so a few lines of
 * wire format replace the ONNX and protobuf libraries. M is a symbolic dimension.
 *
 * <p>Field numbers (from onnx.proto3): ModelProto ir_version 1, graph 7, opset_import 8;
 * OperatorSetIdProto domain 1, version 2; GraphProto node 1, name 2, initializer 5, input 11,
 * output 12; NodeProto input 1, output 2, name 3, op_type 4; TensorProto dims 1, data_type 2
 * (1 = FLOAT), name 8, raw_data 9 (little-endian); ValueInfoProto name 1, type 2; TypeProto
 * tensor_type 1; TypeProto.Tensor elem_type 1, shape 2; TensorShapeProto dim 1; Dimension
 * dim_value 1, dim_param 2.
 */
final class OnnxMatmulModel {

    private static final int FLOAT = 1;

    private OnnxMatmulModel() {}

    /** The model's bytes for {@code W [N, K]} (row-major, as {@code nn.Linear.weight}). */
    static byte[] of(Tensor w) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        ByteBuffer raw = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(n, k), Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                raw.putFloat(w.get((long) j * k + i)); // wt[i, j] = W[j, i]
            }
        }
        Proto initializer = new Proto().varints(1, k, n).varint(2, FLOAT).string(8, "wt").bytes(9, raw.array());
        Proto node = new Proto().string(1, "x").string(1, "wt").string(2, "y").string(3, "matmul").string(4, "MatMul");
        Proto graph = new Proto().message(1, node).string(2, "matmul").message(5, initializer)
                .message(11, valueInfo("x", k)).message(12, valueInfo("y", n));
        Proto opset = new Proto().string(1, "").varint(2, 17);
        return new Proto().varint(1, 8).message(7, graph).message(8, opset).toByteArray();
    }

    /** A float tensor {@code [M, columns]} named {@code name}, M symbolic. */
    private static Proto valueInfo(String name, int columns) {
        Proto shape = new Proto().message(1, new Proto().string(2, "M")).message(1, new Proto().varint(1, columns));
        Proto tensor = new Proto().varint(1, FLOAT).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    /** Protobuf wire format: varint fields (type 0) and length-delimited ones (type 2). */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            tag(field, 0);
            raw(value);
            return this;
        }

        Proto varints(int field, long... values) {
            for (long v : values) {
                varint(field, v);
            }
            return this;
        }

        Proto bytes(int field, byte[] value) {
            tag(field, 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            raw((long) field << 3 | wireType);
        }

        private void raw(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
