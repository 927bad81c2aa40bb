/**
 * The folding behind customer search (`?q=`), shared by the migrations that write it: the
 * stored `search` column and every word searched for go through `segmentation.search_text`.
 */

/**
 * Version 1: lower case, then one `translate` over a list of 600 accented Latin letters. Postgres'
 * `translate` walks that list for every character: 80 µs for a name and an address, paid on
 * every insert and update of a customer (a stored generated column). It also mapped `ß` to `s`
 * and `æ` to `a`, so "strasse" did not find "Straße".
 */
export const SEARCH_TEXT_V1 = `SELECT translate(lower(normalize($1, NFC)), 'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŉŌōŎŏŐőŒœŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƀƁƈƒƚƠơƯưƵƶǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ', 'aaaaaaaceeeeiiiidnoooooouuuuytsaaaaaaaceeeeiiiidnoooooouuuuytyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllllnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzsbbcfloouuzzaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy')`;

/**
 * Version 2: the folding ticket search uses (the tickets service's `search-terms`): lower case,
 * decomposed (NFD), combining marks dropped, the letters NFD does not decompose written as
 * unaccent writes them, composed again (NFC). Any script, about 8 µs for a name and an address.
 */
export const SEARCH_TEXT_V2 = `SELECT normalize(translate(replace(replace(replace(replace(
    regexp_replace(normalize(lower($1), NFD), '[\\u0300-\\u036f]', '', 'g'),
    'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'), 'đðøłıħŧŀĸŋ', 'ddolihtlkn'), NFC)`;

/** `search_text` as a function: CREATE OR REPLACE with one of the bodies above. */
export function searchTextFunction(body: string): string {
  return `CREATE OR REPLACE FUNCTION segmentation.search_text(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $f$ ${body} $f$`;
}

/** The trigram index over `search`; pg_trgm may already live in another schema of the database: its operator class is taken from there. */
export const CREATE_SEARCH_INDEX = `DO $$
      DECLARE ext_schema text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
      BEGIN
        EXECUTE format('CREATE INDEX customers_search_idx ON segmentation.customers USING gin (search %I.gin_trgm_ops)', ext_schema);
      END $$`;
