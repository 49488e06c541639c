//! Thirty real-style names in their official orders (issue 14): the expectation of the order
//! tests in members-service (`domain::hanzi::tests`) and of the end-to-end test through the
//! gateway (`tests/tests/e2e/name_order.rs`, which includes this file by path).

/// Thirty names in the order GB13000.1 字序 gives them, written out by the rule (the first
/// character's stroke count, then its strokes 横1 竖2 撇3 点4 折5 in writing order, then the next
/// character), with the surnames read otherwise as surnames (单 仇 区 朴 曾 解) among them.
pub const STROKE_ORDER: [&str; 30] = [
    "丁一鸣",   // 丁 2: 12
    "卜凡",     // 卜 2: 24 (竖 after 横)
    "于海波",   // 于 3: 112
    "马丽",     // 马 3: 551
    "王芳",     // 王 4: 1121, then 芳 7 before 建 8
    "王建国",   //
    "区志华",   // 区 4: 1345
    "仇小兵",   // 仇 4: 3235 (撇 first)
    "方志强",   // 方 4: 4153 (点 first)
    "孔德明",   // 孔 4: 5215 (折 first)
    "叶红",     // 叶 5: 25112
    "田野",     // 田 5: 25121 (the fourth stroke: 1 before 2)
    "白雪",     // 白 5: 32511
    "冯军",     // 冯 5: 41551
    "朴正浩",   // 朴 6: 123424
    "刘洋",     // 刘 6: 413422
    "阮文",     // 阮 6: 521135 (the fourth stroke 1 …
    "孙立",     // 孙 6: 521234  … before 2)
    "李娜",     // 李 7: 1234521
    "吴敏",     // 吴 7: 2511134
    "张伟",     // 张 7: 5153154
    "欧阳建国", // 欧 8: 13453534
    "周杰",     // 周 8: 35121251
    "单丽娟",   // 单 8: 43251112
    "赵磊",     // 赵 9
    "黄河",     // 黄 11
    "曾宪梓",   // 曾 12: 4325…
    "谢丹",     // 谢 12: 4532…
    "解晓东",   // 解 13
    "魏巍",     // 魏 17
];

/// The same names in pinyin order, each surname read as a surname (单 shàn, 曾 zēng, 解 xiè,
/// 区 ōu, 仇 qiú, 朴 piáo): ICU's pinyin collation, which reads 单 dān and 曾 céng, differs.
pub const PINYIN_ORDER: [&str; 30] = [
    "白雪",
    "卜凡",
    "丁一鸣",
    "方志强",
    "冯军",
    "黄河",
    "孔德明",
    "李娜",
    "刘洋",
    "马丽",
    // 区 ōu and 欧 ōu: the same syllable and tone, then 4 strokes before 8.
    "区志华",
    "欧阳建国",
    "朴正浩",
    "仇小兵",
    "阮文",
    "单丽娟",
    "孙立",
    "田野",
    "王芳",
    "王建国",
    // 谢 xiè and 解 xiè: 12 strokes before 13.
    "魏巍",
    "吴敏",
    "谢丹",
    "解晓东",
    "叶红",
    "于海波",
    "曾宪梓",
    "张伟",
    "赵磊",
    "周杰",
];
