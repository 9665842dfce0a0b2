/* select2's own messages in Japanese on every CKAN page (the tag and organisation fields, the licence and
 * language pickers). CKAN's autocomplete module passes select2 three messages of its own, translated through
 * CKAN's JavaScript catalogue; select2 takes the others ("Remove item" on each tag's ×, the "Search" label of
 * the search box, "Loading more results…") from its defaults, English unless set here. CKAN 2.12 ships
 * select2 4.1's i18n/ja.js but never loads it, and that file lacks removeItem and search. */
(function ($) {
  if (!$ || !$.fn || !$.fn.select2 || !$.fn.select2.defaults) {
    return;
  }
  $.fn.select2.defaults.set('language', {
    errorLoading: function () { return '結果を読み込めませんでした'; },
    inputTooLong: function (a) { return (a.input.length - a.maximum) + ' 文字減らしてください'; },
    inputTooShort: function (a) { return 'あと ' + (a.minimum - a.input.length) + ' 文字以上入力してください'; },
    loadingMore: function () { return 'さらに読み込んでいます…'; },
    maximumSelected: function (a) { return a.maximum + ' 件まで選べます'; },
    noResults: function () { return '見つかりません'; },
    searching: function () { return '検索しています…'; },
    removeAllItems: function () { return 'すべて外す'; },
    removeItem: function () { return '外す'; },
    search: function () { return '検索'; }
  });
})(window.jQuery);
