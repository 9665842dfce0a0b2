/* Dataset form: propose a readable URL name for a Japanese title.
 *
 * CKAN's slug preview keeps only Latin letters, so 「AED設置箇所一覧」 gave an empty or meaningless name.
 * This module (on the URL field, next to CKAN's slug-preview-slug) asks the testbed_dataset_name action
 * for the romanised name (aed-setchi-kasho-ichiran) while the title is typed, and stops once the
 * user edits the URL themselves.
 */
this.ckan.module('testbed-slug', function ($) {
  return {
    options: {delay: 300},

    initialize: function () {
      var field = this.el;
      var title = $('#field-title');
      var timer = null;
      var asked = 0;
      var edited = field.val() !== '';
      var delay = this.options.delay;

      if (!title.length || edited) {
        return;
      }
      field.on('keypress', function (event) {
        if (event.charCode) {
          edited = true;
        }
      });

      function propose() {
        var text = title.val();
        var mine = ++asked;
        if (edited || !text) {
          return;
        }
        $.getJSON('/api/3/action/testbed_dataset_name', {title: text}).done(function (data) {
          var name = data && data.result && data.result.name;
          if (mine === asked && !edited && name) {
            field.val(name).trigger('change');
          }
        });
      }

      title.on('keyup.testbed-slug input.testbed-slug change.testbed-slug', function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(propose, delay);
      });
      // CKAN starts its modules only after it fetched its translations, so a quick typist (or a form shown
      // again with its title kept) may already have a title here: propose for it at once.
      if (title.val()) {
        propose();
      }
    }
  };
});
