/** Small corpora the tests build on; written for this project, free to reuse. */
export interface TestDocument {
  id: string;
  title: string;
  text: string;
}

export const englishCorpus: TestDocument[] = [
  {
    id: "en-bees",
    title: "Honey bees",
    text: "Honey bees communicate the location of flowers with a waggle dance. The angle of the dance shows the direction relative to the sun. The length of the waggle run tells the distance to the food.",
  },
  {
    id: "en-tides",
    title: "Ocean tides",
    text: "Tides are caused mainly by the gravitational pull of the Moon on the oceans. The Sun also contributes, and when Sun and Moon align the spring tides are highest. Most coasts see two high tides a day.",
  },
  {
    id: "en-volcano",
    title: "Volcanoes",
    text: "A volcano erupts when magma rises through cracks in the crust. Shield volcanoes have gentle slopes built by runny lava. Stratovolcanoes are steep and explosive.",
  },
  {
    id: "en-bread",
    title: "Baking bread",
    text: "Yeast ferments the sugars in dough and releases carbon dioxide, which makes bread rise. Kneading develops gluten, the protein network that traps the gas. Bread is baked until the crust browns.",
  },
  {
    id: "en-compass",
    title: "Magnetic compass",
    text: "A compass needle is a small magnet that aligns with the Earth's magnetic field. It points to magnetic north, which differs slightly from true north. Sailors used compasses for navigation for centuries.",
  },
  {
    id: "en-rainbow",
    title: "Rainbows",
    text: "A rainbow appears when sunlight is refracted, reflected and dispersed inside raindrops. Red is on the outer edge of the arc and violet on the inner edge. You see a rainbow with the sun behind you.",
  },
];

export const chineseCorpus: TestDocument[] = [
  {
    id: "zh-panda",
    title: "大熊猫",
    text: "大熊猫主要生活在中国四川、陕西和甘肃的山区。它们的食物几乎全部是竹子。成年大熊猫每天要花十几个小时进食。",
  },
  {
    id: "zh-tea",
    title: "茶叶",
    text: "绿茶不经过发酵，保留了茶叶的天然成分。红茶是全发酵茶，口感醇厚。乌龙茶属于半发酵茶，产于福建和台湾。",
  },
  {
    id: "zh-greatwall",
    title: "长城",
    text: "长城是中国古代修建的军事防御工程。现存的长城大多建于明朝。长城东起山海关，西至嘉峪关。",
  },
  {
    id: "zh-yangtze",
    title: "长江",
    text: "长江是中国最长的河流，全长约六千三百公里。长江发源于青藏高原，最终流入东海。三峡大坝位于长江上游。",
  },
  {
    id: "zh-paper",
    title: "造纸术",
    text: "造纸术是中国古代四大发明之一。东汉时期的蔡伦改进了造纸术，用树皮、麻头和破布造纸。纸的普及推动了文化的传播。",
  },
  {
    id: "zh-moon",
    title: "中秋节",
    text: "中秋节在农历八月十五，是家人团圆的节日。人们在这一天赏月、吃月饼。月饼通常是圆形的，象征团圆。",
  },
];
